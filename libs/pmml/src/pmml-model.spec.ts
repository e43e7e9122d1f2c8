import { Code, ModelType, ServingError, type ModelToServe } from '@modelserving/model-core';
import { describe, expect, it } from 'vitest';
import { categorical, double, expectInvalidArgument, miningSchema, pmmlDoc } from './__fixtures__/pmml-doc';
import { parsePmml } from './evaluator';
import { BUILTIN_FUNCTION_NAMES, SUPPORTED_MODEL_ELEMENTS } from './index';
import { PmmlModelFactory } from './pmml-model';

const TREE = pmmlDoc(
  double('x') + categorical('t', ['lo', 'hi']),
  `<TreeModel functionName="classification" modelName="demo">
     ${miningSchema('t', ['x'])}
     <Output>
       <OutputField name="P(hi)" feature="probability" value="hi" dataType="double" optype="continuous"/>
       <OutputField name="label" feature="predictedValue" dataType="string" optype="categorical"/>
     </Output>
     <Node score="lo"><True/>
       <Node score="lo"><SimplePredicate field="x" operator="lessThan" value="0"/>
         <ScoreDistribution value="lo" recordCount="9"/><ScoreDistribution value="hi" recordCount="1"/></Node>
       <Node score="hi"><True/>
         <ScoreDistribution value="lo" recordCount="1"/><ScoreDistribution value="hi" recordCount="3"/></Node>
     </Node>
   </TreeModel>`,
);

function toServe(content: string | Uint8Array): ModelToServe {
  return {
    key: 'wine/tree',
    name: 'tree',
    description: 'test',
    dataType: 'wine',
    modelType: ModelType.PMML,
    content: typeof content === 'string' ? new TextEncoder().encode(content) : content,
    metadata: {},
  };
}

describe('PmmlModelFactory', () => {
  const factory = new PmmlModelFactory();

  it('creates a Model that scores records: value, outputs (Output fields + target) and confidence', async () => {
    expect(factory.type).toBe(ModelType.PMML);
    const model = await factory.create(toServe(TREE));
    expect(model.type).toBe(ModelType.PMML);
    expect(model.runtime).toBe('pmml');
    const out = model.score({ dataType: 'wine', features: { x: 5 } });
    expect(out.value).toBe('hi');
    expect(out.outputs).toEqual({ t: 'hi', 'P(hi)': 0.75, label: 'hi' });
    expect(out.confidence).toBe(0.75);
    expect(model.score({ dataType: 'wine', features: { x: -5 } }).confidence).toBe(0.9);
  });

  it('accepts a record given as one-value tensors', async () => {
    const model = await factory.create(toServe(TREE));
    const out = model.score({
      dataType: 'wine',
      features: {},
      tensors: [{ name: 'x', datatype: 'FP64', shape: [1], data: new Float64Array([-2]) }],
    });
    expect(out.value).toBe('lo');
    expectInvalidArgument(
      () =>
        model.score({
          dataType: 'wine',
          features: {},
          tensors: [{ name: 'x', datatype: 'FP64', shape: [2], data: new Float64Array([1, 2]) }],
        }),
      "tensor 'x'",
    );
  });

  it('reports the signature: active inputs, target with its categories, Output fields', async () => {
    const model = await factory.create(toServe(TREE));
    expect(model.signature()).toEqual({
      inputs: [{ name: 'x', datatype: 'FP64', shape: [-1] }],
      outputs: [
        { name: 't', datatype: 'BYTES', shape: [-1], values: ['lo', 'hi'] },
        { name: 'P(hi)', datatype: 'FP64', shape: [-1] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
      ],
      target: 't',
    });
  });

  it('toBytes returns the original document and restore rebuilds an equivalent model', async () => {
    const bytes = new TextEncoder().encode(TREE);
    const model = await factory.create(toServe(bytes));
    const saved = model.toBytes();
    expect(new TextDecoder().decode(saved)).toBe(TREE);
    // the model keeps its own copy: changing the caller's buffer changes nothing
    bytes.fill(0);
    const { content: _ignored, ...info } = toServe(TREE);
    const restored = await factory.restore(saved, info);
    expect(restored.score({ dataType: 'wine', features: { x: 1 } })).toEqual(
      model.score({ dataType: 'wine', features: { x: 1 } }),
    );
    await model.cleanup();
  });

  it("copies a Node Buffer too (Buffer#slice would share the caller's memory)", () => {
    const buf = Buffer.from(TREE);
    const model = factory.build(buf);
    buf.fill(0x20);
    expect(new TextDecoder().decode(model.toBytes())).toBe(TREE);
  });

  it('a bad record is an INVALID_ARGUMENT for that record only; scoreBatch keeps going', async () => {
    const model = await factory.create(toServe(TREE));
    expectInvalidArgument(
      () => model.score({ dataType: 'wine', features: { x: 'not a number' } }),
      "field 'x'",
    );
    const batch = await model.scoreBatch!([
      { dataType: 'wine', features: { x: 1 } },
      { dataType: 'wine', features: { x: 'bad' } },
      { dataType: 'wine', features: { x: -1 } },
    ]);
    expect((batch[0] as { value: unknown }).value).toBe('hi');
    expect(batch[1]).toBeInstanceOf(ServingError);
    expect((batch[1] as ServingError).code).toBe(Code.INVALID_ARGUMENT);
    expect((batch[2] as { value: unknown }).value).toBe('lo');
  });

  it('rejects bad documents with INVALID_ARGUMENT from create()', async () => {
    await expect(factory.create(toServe(''))).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    await expect(factory.create(toServe('<PMML><DataDictionary>'))).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: expect.stringContaining('DataDictionary'),
    });
  });

  it('honours the size limit option', async () => {
    await expect(new PmmlModelFactory({ maxBytes: 100 }).create(toServe(TREE))).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: expect.stringContaining('larger than the limit'),
    });
  });
});

describe('document-level errors name the element', () => {
  const dict = double('x') + double('y');
  const model = (body: string) => pmmlDoc(dict, body);

  it('unknown and unsupported model elements', () => {
    expectInvalidArgument(
      () =>
        parsePmml(model(`<FancyModel functionName="regression">${miningSchema('y', ['x'])}</FancyModel>`)),
      '<FancyModel>',
      'unknown model element',
    );
    expectInvalidArgument(
      () =>
        parsePmml(
          model(`<SequenceModel functionName="sequences">${miningSchema(undefined, ['x'])}</SequenceModel>`),
        ),
      '<SequenceModel>',
      'not supported',
    );
  });

  it('missing required attributes and elements', () => {
    expectInvalidArgument(
      () =>
        parsePmml(
          model(
            `<RegressionModel>${miningSchema('y', ['x'])}<RegressionTable intercept="0"/></RegressionModel>`,
          ),
        ),
      '<RegressionModel> at line 6',
      "'functionName'",
    );
    expectInvalidArgument(
      () =>
        parsePmml(
          model(
            `<RegressionModel functionName="regression">${miningSchema('y', ['x'])}<RegressionTable/></RegressionModel>`,
          ),
        ),
      '<RegressionTable>',
      "'intercept'",
    );
    expectInvalidArgument(
      () =>
        parsePmml(
          model(
            `<RegressionModel functionName="regression"><RegressionTable intercept="0"/></RegressionModel>`,
          ),
        ),
      '<RegressionModel>',
      '<MiningSchema>',
    );
    expectInvalidArgument(
      () => parsePmml(pmmlDoc('<DataField optype="continuous" dataType="double"/>', '')),
      '<DataField>',
      "'name'",
    );
    expectInvalidArgument(
      () => parsePmml('<PMML version="4.4"><Header/></PMML>'),
      '<PMML>',
      '<DataDictionary>',
    );
  });

  it('bad attribute values', () => {
    expectInvalidArgument(
      () =>
        parsePmml(
          model(
            `<RegressionModel functionName="regression">${miningSchema('y', ['x'])}<RegressionTable intercept="one"/></RegressionModel>`,
          ),
        ),
      '<RegressionTable>',
      "'intercept' is not a number",
    );
    expectInvalidArgument(
      () => parsePmml(pmmlDoc('<DataField name="q" optype="continuous" dataType="quaternion"/>', '')),
      '<DataField>',
      'quaternion',
    );
  });

  it('wrong root element, unsupported version, document without a model', () => {
    expectInvalidArgument(() => parsePmml('<PFA/>'), '<PFA>', 'root element must be <PMML>');
    expectInvalidArgument(() => parsePmml('<PMML version="5.0"><DataDictionary/></PMML>'), "version '5.0'");
    expectInvalidArgument(
      () => parsePmml('<PMML version="4.4"><DataDictionary/></PMML>'),
      'no model element',
    );
  });

  it('accepts PMML 3.2 and documents without a namespace', () => {
    const body = `<RegressionModel functionName="regression">${miningSchema('y', ['x'])}<RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable></RegressionModel>`;
    expect(parsePmml(pmmlDoc(dict, body, { version: '3.2' })).evaluate({ x: 1 }).value).toBe(3);
    const bare = `<PMML version="4.1"><DataDictionary>${dict}</DataDictionary>${body}</PMML>`;
    expect(parsePmml(bare).evaluate({ x: 2 }).value).toBe(5);
  });

  it('picks a model by name when the document holds several', () => {
    const body = (name: string, k: number) =>
      `<RegressionModel modelName="${name}" functionName="regression">${miningSchema('y', ['x'])}<RegressionTable intercept="${k}"/></RegressionModel>`;
    const doc = pmmlDoc(dict, body('first', 1) + body('second', 2));
    expect(parsePmml(doc).evaluate({}).value).toBe(1);
    expect(parsePmml(doc, { modelName: 'second' }).evaluate({}).value).toBe(2);
  });
});

describe('public API', () => {
  it('lists the supported model elements and built-in functions', () => {
    expect([...SUPPORTED_MODEL_ELEMENTS].sort()).toEqual(
      [
        'AnomalyDetectionModel',
        'AssociationModel',
        'ClusteringModel',
        'GeneralRegressionModel',
        'MiningModel',
        'NaiveBayesModel',
        'NearestNeighborModel',
        'NeuralNetwork',
        'RegressionModel',
        'RuleSetModel',
        'Scorecard',
        'SupportVectorMachineModel',
        'TreeModel',
      ].sort(),
    );
    expect(BUILTIN_FUNCTION_NAMES).toEqual(
      expect.arrayContaining(['+', 'log10', 'substring', 'formatNumber', 'dateDaysSinceYear']),
    );
  });
});
