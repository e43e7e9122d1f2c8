import { describe, expect, it } from 'vitest';
import { categorical, double, expectInvalidArgument, miningSchema, pmmlDoc } from '../__fixtures__/pmml-doc';
import { parsePmml } from '../evaluator';
import { stdNormalCdf } from '../transformations/builtin-functions';

const DICT = double('x') + double('z') + categorical('c', ['a', 'b']) + double('y');

function regression(normalization = 'none', extraSchema = '') {
  return pmmlDoc(
    DICT,
    `<RegressionModel functionName="regression" normalizationMethod="${normalization}">
       ${miningSchema('y', ['x', 'z', 'c'], extraSchema).replace('<MiningField name="x"/>', extraSchema ? '' : '<MiningField name="x"/>')}
       <RegressionTable intercept="1">
         <NumericPredictor name="x" coefficient="2" exponent="2"/>
         <CategoricalPredictor name="c" value="a" coefficient="3"/>
         <CategoricalPredictor name="c" value="b" coefficient="-1"/>
         <PredictorTerm coefficient="0.5"><FieldRef field="x"/><FieldRef field="z"/></PredictorTerm>
       </RegressionTable>
     </RegressionModel>`,
  );
}

describe('RegressionModel (regression)', () => {
  const ev = parsePmml(regression());

  it('sums intercept, numeric predictors with exponents, categorical predictors and predictor terms', () => {
    // 1 + 2·2² + 3 + 0.5·2·4 = 16
    expect(ev.evaluate({ x: 2, z: 4, c: 'a' }).value).toBe(16);
    // 1 + 8 − 1 + 4 = 12
    expect(ev.evaluate({ x: 2, z: 4, c: 'b' }).value).toBe(12);
    // strings that parse as numbers are accepted for double fields
    expect(ev.evaluate({ x: '2', z: '4', c: 'b' }).value).toBe(12);
  });

  it('ignores a missing categorical predictor but not a missing numeric one', () => {
    expect(ev.evaluate({ x: 2, z: 4, c: null }).value).toBe(13);
    expect(ev.evaluate({ x: null, z: 4, c: 'a' }).value).toBeNull();
    expect(ev.evaluate({ z: 4, c: 'a' }).value).toBeNull();
  });

  it('rejects invalid values per record (returnInvalid is the default)', () => {
    expectInvalidArgument(() => ev.evaluate({ x: 'abc', z: 4, c: 'a' }), "field 'x'", 'invalid value');
    expectInvalidArgument(() => ev.evaluate({ x: 1, z: 4, c: 'zzz' }), "field 'c'");
    // the evaluator keeps working after a bad record
    expect(ev.evaluate({ x: 2, z: 4, c: 'a' }).value).toBe(16);
  });

  it('applies missingValueReplacement from the MiningSchema', () => {
    const withReplacement = parsePmml(
      regression('none', '<MiningField name="x" missingValueReplacement="3"/>'),
    );
    // 1 + 2·9 + 3 + 0.5·3·4 = 28
    expect(withReplacement.evaluate({ z: 4, c: 'a' }).value).toBe(28);
  });

  it.each([
    ['exp', (y: number) => Math.exp(y)],
    ['logit', (y: number) => 1 / (1 + Math.exp(-y))],
    ['softmax', (y: number) => 1 / (1 + Math.exp(-y))],
    ['probit', (y: number) => stdNormalCdf(y)],
    ['cloglog', (y: number) => 1 - Math.exp(-Math.exp(y))],
    ['loglog', (y: number) => Math.exp(-Math.exp(-y))],
    ['cauchit', (y: number) => 0.5 + Math.atan(y) / Math.PI],
  ])('normalizes a regression with %s', (method, f) => {
    const e = parsePmml(regression(method));
    // x=0.5, z=0, c=b → 1 + 0.5 − 1 + 0 = 0.5
    expect(e.evaluate({ x: 0.5, z: 0, c: 'b' }).value).toBeCloseTo(f(0.5), 14);
  });

  it('has a signature with FP64 numeric inputs, BYTES categorical inputs with values, and the target', () => {
    const sig = ev.signature();
    expect(sig.inputs).toEqual([
      { name: 'x', datatype: 'FP64', shape: [-1] },
      { name: 'z', datatype: 'FP64', shape: [-1] },
      { name: 'c', datatype: 'BYTES', shape: [-1], values: ['a', 'b'] },
    ]);
    expect(sig.outputs).toEqual([{ name: 'y', datatype: 'FP64', shape: [-1] }]);
    expect(sig.target).toBe('y');
  });
});

function classifier(normalization: string, tables: string, categories = ['A', 'B', 'C'], output = '') {
  return pmmlDoc(
    double('x') + categorical('t', categories),
    `<RegressionModel functionName="classification" normalizationMethod="${normalization}">
       ${miningSchema('t', ['x'])}
       ${output}
       ${tables}
     </RegressionModel>`,
  );
}

describe('RegressionModel (classification)', () => {
  const three = `
    <RegressionTable targetCategory="A" intercept="1"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
    <RegressionTable targetCategory="B" intercept="0"><NumericPredictor name="x" coefficient="2"/></RegressionTable>
    <RegressionTable targetCategory="C" intercept="0.5"/>`;

  it('softmax over all categories, with Output probability fields', () => {
    const ev = parsePmml(
      classifier(
        'softmax',
        three,
        undefined,
        `<Output>
           <OutputField name="pA" feature="probability" value="A" dataType="double" optype="continuous"/>
           <OutputField name="pC" feature="probability" value="C" dataType="double" optype="continuous"/>
           <OutputField name="winner" feature="predictedValue" dataType="string" optype="categorical"/>
           <OutputField name="pWinner" feature="probability" dataType="double" optype="continuous"/>
         </Output>`,
      ),
    );
    // x = 0.5: yA = 1.5, yB = 1, yC = 0.5
    const sum = Math.exp(1.5) + Math.exp(1) + Math.exp(0.5);
    const r = ev.evaluate({ x: 0.5 });
    expect(r.value).toBe('A');
    expect(r.outputs['pA']).toBeCloseTo(Math.exp(1.5) / sum, 15);
    expect(r.outputs['pC']).toBeCloseTo(Math.exp(0.5) / sum, 15);
    expect(r.outputs['winner']).toBe('A');
    expect(r.outputs['pWinner']).toBe(r.outputs['pA']);
    expect(r.confidence).toBe(r.outputs['pA']);
    expect(r.outputs['t']).toBe('A');
    // x = 2: yA = 3, yB = 4 → B wins
    expect(ev.evaluate({ x: 2 }).value).toBe('B');
  });

  it('simplemax divides by the sum', () => {
    const ev = parsePmml(classifier('simplemax', three));
    const r = ev.evaluate({ x: 0.5 });
    expect(r.value).toBe('A');
    expect(r.confidence).toBeCloseTo(1.5 / 3, 15);
  });

  it('none: the last category takes 1 − the others', () => {
    const tables = `
      <RegressionTable targetCategory="A" intercept="0.2"/>
      <RegressionTable targetCategory="B" intercept="0.1"><NumericPredictor name="x" coefficient="0.1"/></RegressionTable>
      <RegressionTable targetCategory="C" intercept="0"/>`;
    const ev = parsePmml(classifier('none', tables));
    const r = ev.evaluate({ x: 1 });
    // pA = 0.2, pB = 0.2, pC = 0.6
    expect(r.value).toBe('C');
    expect(r.confidence).toBeCloseTo(0.6, 15);
  });

  it.each([
    ['logit', (y: number) => 1 / (1 + Math.exp(-y))],
    ['probit', (y: number) => stdNormalCdf(y)],
    ['cloglog', (y: number) => 1 - Math.exp(-Math.exp(y))],
    ['loglog', (y: number) => Math.exp(-Math.exp(-y))],
    ['cauchit', (y: number) => 0.5 + Math.atan(y) / Math.PI],
  ])('binary %s: first category gets f(y), second 1 − f(y)', (method, f) => {
    const tables = `
      <RegressionTable targetCategory="yes" intercept="-1"><NumericPredictor name="x" coefficient="2"/></RegressionTable>
      <RegressionTable targetCategory="no" intercept="0"/>`;
    const ev = parsePmml(
      classifier(
        method,
        tables,
        ['yes', 'no'],
        '<Output><OutputField name="p_no" feature="probability" value="no" dataType="double"/></Output>',
      ),
    );
    const r = ev.evaluate({ x: 1 });
    const p = f(1);
    expect(r.outputs['p_no']).toBeCloseTo(1 - p, 15);
    expect(r.value).toBe(p >= 0.5 ? 'yes' : 'no');
  });

  it('ordinal targets use cumulative probabilities', () => {
    const doc = pmmlDoc(
      double('x') +
        '<DataField name="t" optype="ordinal" dataType="string"><Value value="lo"/><Value value="mid"/><Value value="hi"/></DataField>',
      `<RegressionModel functionName="classification" normalizationMethod="logit">
         ${miningSchema('t', ['x'])}
         <Output>
           <OutputField name="p_lo" feature="probability" value="lo" dataType="double"/>
           <OutputField name="p_mid" feature="probability" value="mid" dataType="double"/>
           <OutputField name="p_hi" feature="probability" value="hi" dataType="double"/>
         </Output>
         <RegressionTable targetCategory="lo" intercept="-1"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
         <RegressionTable targetCategory="mid" intercept="1"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
         <RegressionTable targetCategory="hi" intercept="0"/>
       </RegressionModel>`,
    );
    const r = parsePmml(doc).evaluate({ x: 0 });
    const c1 = 1 / (1 + Math.exp(1));
    const c2 = 1 / (1 + Math.exp(-1));
    expect(r.outputs['p_lo']).toBeCloseTo(c1, 15);
    expect(r.outputs['p_mid']).toBeCloseTo(c2 - c1, 15);
    expect(r.outputs['p_hi']).toBeCloseTo(1 - c2, 15);
    expect(r.value).toBe('mid');
  });

  it('a missing input gives a null prediction (and null probabilities)', () => {
    const ev = parsePmml(
      classifier(
        'softmax',
        three,
        undefined,
        '<Output><OutputField name="pA" feature="probability" value="A" dataType="double"/></Output>',
      ),
    );
    const r = ev.evaluate({});
    expect(r.value).toBeNull();
    expect(r.outputs['pA']).toBeNull();
    expect(r.confidence).toBeUndefined();
  });

  it('falls back to Target prior probabilities when it cannot predict', () => {
    const doc = pmmlDoc(
      double('x') + categorical('t', ['A', 'B']),
      `<RegressionModel functionName="classification" normalizationMethod="softmax">
         ${miningSchema('t', ['x'])}
         <Targets><Target field="t"><TargetValue value="A" priorProbability="0.3"/><TargetValue value="B" priorProbability="0.7"/></Target></Targets>
         <RegressionTable targetCategory="A" intercept="1"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
         <RegressionTable targetCategory="B" intercept="0"/>
       </RegressionModel>`,
    );
    const r = parsePmml(doc).evaluate({ x: null });
    expect(r.value).toBe('B');
    expect(r.confidence).toBe(0.7);
  });

  it('rejects a classification table whose category is not a valid target value', () => {
    const tables = `<RegressionTable targetCategory="A" intercept="1"/><RegressionTable targetCategory="B" intercept="0"/>`;
    const doc = pmmlDoc(
      double('x') + categorical('t', ['1', '2'], 'integer'),
      `<RegressionModel functionName="classification">${miningSchema('t', ['x'])}${tables}</RegressionModel>`,
    );
    expectInvalidArgument(() => parsePmml(doc), '<RegressionTable>', "category 'A'");
  });
});
