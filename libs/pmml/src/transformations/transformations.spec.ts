import type { FeatureValue } from '@modelserving/model-core';
import { describe, expect, it } from 'vitest';
import { categorical, double, expectInvalidArgument, pmmlDoc } from '../__fixtures__/pmml-doc';
import { parsePmml } from '../evaluator';
import { erf, stdNormalCdf, stdNormalIdf } from './builtin-functions';

const DICT =
  double('x') +
  double('z') +
  categorical('c', ['a', 'b', 'c']) +
  '<DataField name="s" optype="categorical" dataType="string"/>' +
  '<DataField name="d" optype="continuous" dataType="date"/>' +
  '<DataField name="t" optype="continuous" dataType="time"/>' +
  double('y');

/**
 * Builds a model whose Output holds one transformedValue field per expression, so many expressions are
 * checked in one evaluation. The model itself is y = x.
 */
function expressions(
  outputs: Record<string, { expr: string; dataType?: string }>,
  transformations = '',
  local = '',
) {
  const fields = Object.entries(outputs)
    .map(
      ([name, { expr, dataType }]) =>
        `<OutputField name="${name}" feature="transformedValue" dataType="${dataType ?? 'double'}" optype="${dataType === 'string' ? 'categorical' : 'continuous'}">${expr}</OutputField>`,
    )
    .join('\n');
  return parsePmml(
    pmmlDoc(
      DICT,
      `<RegressionModel functionName="regression">
         <MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/><MiningField name="z"/><MiningField name="c"/><MiningField name="s"/><MiningField name="d"/><MiningField name="t"/></MiningSchema>
         <Output>${fields}</Output>
         ${local ? `<LocalTransformations>${local}</LocalTransformations>` : ''}
         <RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
       </RegressionModel>`,
      transformations ? { transformations } : {},
    ),
  );
}

const apply = (fn: string, ...args: string[]) => `<Apply function="${fn}">${args.join('')}</Apply>`;
const f = (name: string) => `<FieldRef field="${name}"/>`;
const k = (v: string | number, dataType?: string) =>
  `<Constant${dataType ? ` dataType="${dataType}"` : ''}>${v}</Constant>`;

describe('expressions', () => {
  it('Constant, FieldRef with mapMissingTo', () => {
    const ev = expressions({
      int: { expr: k(3) },
      str: { expr: k('hello', 'string'), dataType: 'string' },
      ref: { expr: f('x') },
      refMissing: { expr: '<FieldRef field="z" mapMissingTo="-1"/>' },
      missingConstant: { expr: '<Constant dataType="double" missing="true"/>' },
    });
    expect(ev.evaluate({ x: 2 }).outputs).toMatchObject({
      int: 3,
      str: 'hello',
      ref: 2,
      refMissing: -1,
      missingConstant: null,
    });
  });

  it('NormContinuous interpolates piecewise, extrapolates, and honours outliers and mapMissingTo', () => {
    const norms =
      '<LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/><LinearNorm orig="20" norm="3"/>';
    const ev = expressions({
      asIs: { expr: `<NormContinuous field="x">${norms}</NormContinuous>` },
      extreme: { expr: `<NormContinuous field="x" outliers="asExtremeValues">${norms}</NormContinuous>` },
      asMissing: {
        expr: `<NormContinuous field="x" outliers="asMissingValues" mapMissingTo="99">${norms}</NormContinuous>`,
      },
    });
    expect(ev.evaluate({ x: 5 }).outputs).toMatchObject({ asIs: 0.5, extreme: 0.5, asMissing: 0.5 });
    expect(ev.evaluate({ x: 15 }).outputs).toMatchObject({ asIs: 2, extreme: 2, asMissing: 2 });
    expect(ev.evaluate({ x: -10 }).outputs).toMatchObject({ asIs: -1, extreme: 0, asMissing: 99 });
    expect(ev.evaluate({ x: 30 }).outputs).toMatchObject({ asIs: 5, extreme: 3, asMissing: 99 });
    expect(ev.evaluate({}).outputs).toMatchObject({ asIs: null, asMissing: 99 });
  });

  it('NormDiscrete, Discretize and MapValues', () => {
    const bins = `
      <DiscretizeBin binValue="negative"><Interval closure="openOpen" rightMargin="0"/></DiscretizeBin>
      <DiscretizeBin binValue="small"><Interval closure="closedClosed" leftMargin="0" rightMargin="10"/></DiscretizeBin>`;
    const table = `
      <FieldColumnPair field="c" column="cat"/><FieldColumnPair field="x" column="num"/>
      <InlineTable>
        <row><cat>a</cat><num>1</num><out>a-one</out></row>
        <row><cat>b</cat><num>1</num><out>b-one</out></row>
        <row><cat>a</cat><num>2.5</num><out>a-two-and-a-half</out></row>
      </InlineTable>`;
    const ev = expressions({
      isA: { expr: '<NormDiscrete field="c" value="a" mapMissingTo="-1"/>' },
      bin: {
        expr: `<Discretize field="x" defaultValue="big" mapMissingTo="none">${bins}</Discretize>`,
        dataType: 'string',
      },
      mapped: {
        expr: `<MapValues outputColumn="out" defaultValue="other" mapMissingTo="nothing">${table}</MapValues>`,
        dataType: 'string',
      },
    });
    expect(ev.evaluate({ x: 1, c: 'a' }).outputs).toMatchObject({ isA: 1, bin: 'small', mapped: 'a-one' });
    expect(ev.evaluate({ x: 1, c: 'b' }).outputs).toMatchObject({ isA: 0, bin: 'small', mapped: 'b-one' });
    expect(ev.evaluate({ x: 2.5, c: 'a' }).outputs).toMatchObject({ mapped: 'a-two-and-a-half' });
    expect(ev.evaluate({ x: -3, c: 'c' }).outputs).toMatchObject({ bin: 'negative', mapped: 'other' });
    expect(ev.evaluate({ x: 10.5 }).outputs).toMatchObject({ isA: -1, bin: 'big', mapped: 'nothing' });
  });

  it('arithmetic and aggregate functions', () => {
    const ev = expressions({
      plus: { expr: apply('+', f('x'), f('z')) },
      minus: { expr: apply('-', f('x'), f('z')) },
      times: { expr: apply('*', f('x'), f('z')) },
      div: { expr: apply('/', f('x'), f('z')) },
      min: { expr: apply('min', f('x'), f('z'), k(1)) },
      max: { expr: apply('max', f('x'), f('z'), k(1)) },
      sum: { expr: apply('sum', f('x'), f('z'), k(1)) },
      avg: { expr: apply('avg', f('x'), f('z'), k(1)) },
      median: { expr: apply('median', f('x'), f('z'), k(1), k(100)) },
      product: { expr: apply('product', f('x'), f('z'), k(2)) },
      missingArg: { expr: apply('+', f('x'), '<FieldRef field="s"/>') },
    });
    const o = ev.evaluate({ x: 6, z: 4 }).outputs;
    expect(o).toMatchObject({
      plus: 10,
      minus: 2,
      times: 24,
      div: 1.5,
      min: 1,
      max: 6,
      sum: 11,
      avg: 11 / 3,
      median: 5,
      product: 48,
    });
    expect(o['missingArg']).toBeNull();
  });

  it('math functions', () => {
    const ev = expressions({
      log10: { expr: apply('log10', k(1000)) },
      ln: { expr: apply('ln', f('x')) },
      exp: { expr: apply('exp', k(1)) },
      sqrt: { expr: apply('sqrt', k(16)) },
      abs: { expr: apply('abs', k(-2.5)) },
      pow: { expr: apply('pow', k(2), k(10)) },
      thresholdHi: { expr: apply('threshold', k(5), k(3)) },
      thresholdLo: { expr: apply('threshold', k(3), k(3)) },
      floor: { expr: apply('floor', k(-2.5)) },
      ceil: { expr: apply('ceil', k(-2.5)) },
      round: { expr: apply('round', k(2.5)) },
      roundNeg: { expr: apply('round', k(-2.5)) },
    });
    const o = ev.evaluate({ x: Math.E }).outputs;
    expect(o).toMatchObject({
      log10: 3,
      ln: 1,
      exp: Math.E,
      sqrt: 4,
      abs: 2.5,
      pow: 1024,
      thresholdHi: 1,
      thresholdLo: 0,
      floor: -3,
      ceil: -2,
      round: 3,
      roundNeg: -2,
    });
  });

  it('comparison, boolean and membership functions (three-valued)', () => {
    const b = (expr: string) => ({ expr, dataType: 'boolean' });
    const ev = expressions({
      eq: b(apply('equal', f('x'), k(2))),
      ne: b(apply('notEqual', f('x'), k(2))),
      lt: b(apply('lessThan', f('x'), k(3))),
      le: b(apply('lessOrEqual', f('x'), k(2))),
      gt: b(apply('greaterThan', f('x'), k(3))),
      ge: b(apply('greaterOrEqual', f('x'), k(2))),
      and: b(apply('and', apply('equal', f('x'), k(2)), apply('isMissing', f('z')))),
      or: b(apply('or', apply('equal', f('x'), k(5)), apply('isNotMissing', f('z')))),
      orUnknownTrue: b(apply('or', apply('equal', f('z'), k(5)), apply('equal', f('x'), k(2)))),
      not: b(apply('not', apply('equal', f('x'), k(2)))),
      isIn: b(apply('isIn', f('c'), k('a', 'string'), k('b', 'string'))),
      isNotIn: b(apply('isNotIn', f('c'), k('a', 'string'), k('b', 'string'))),
      cmpMissing: b(apply('lessThan', f('z'), k(3))),
    });
    const o = ev.evaluate({ x: 2, c: 'b' }).outputs;
    expect(o).toMatchObject({
      eq: true,
      ne: false,
      lt: true,
      le: true,
      gt: false,
      ge: true,
      and: true,
      or: false,
      orUnknownTrue: true,
      not: false,
      isIn: true,
      isNotIn: false,
    });
    expect(o['cmpMissing']).toBeNull();
  });

  it('if, with mapMissingTo and defaultValue on Apply', () => {
    const ev = expressions({
      branch: {
        expr: apply('if', apply('greaterThan', f('x'), k(0)), k('pos', 'string'), k('neg', 'string')),
        dataType: 'string',
      },
      noElse: {
        expr: `<Apply function="if" defaultValue="fallback">${apply('greaterThan', f('x'), k(0))}${k('pos', 'string')}</Apply>`,
        dataType: 'string',
      },
      mapped: { expr: `<Apply function="+" mapMissingTo="-1">${f('x')}${f('z')}</Apply>` },
    });
    expect(ev.evaluate({ x: 1, z: 1 }).outputs).toMatchObject({ branch: 'pos', noElse: 'pos', mapped: 2 });
    expect(ev.evaluate({ x: -1 }).outputs).toMatchObject({ branch: 'neg', noElse: 'fallback', mapped: -1 });
  });

  it('string functions', () => {
    const s = (expr: string) => ({ expr, dataType: 'string' });
    const ev = expressions({
      upper: s(apply('uppercase', f('s'))),
      lower: s(apply('lowercase', f('s'))),
      sub: s(apply('substring', f('s'), k(2), k(3))),
      trim: s(apply('trimBlanks', k('  padded  ', 'string'))),
      concat: s(apply('concat', f('s'), k('-', 'string'), f('x'))),
      replace: s(apply('replace', f('s'), k('l+', 'string'), k('L', 'string'))),
      matches: { expr: apply('matches', f('s'), k('^He', 'string')), dataType: 'boolean' },
      format: s(apply('formatNumber', f('x'), k('%08.3f', 'string'))),
      formatInt: s(apply('formatNumber', f('x'), k('%3d', 'string'))),
    });
    expect(ev.evaluate({ s: 'Hello', x: 3.14159 }).outputs).toMatchObject({
      upper: 'HELLO',
      lower: 'hello',
      sub: 'ell',
      trim: 'padded',
      concat: 'Hello-3.14159',
      replace: 'HeLo',
      matches: true,
      format: '0003.142',
      formatInt: '  3',
    });
  });

  it('date functions', () => {
    const ev = expressions({
      days: { expr: apply('dateDaysSinceYear', f('d'), k(1970)), dataType: 'integer' },
      days1960: { expr: apply('dateDaysSinceYear', f('d'), k(1960)), dataType: 'integer' },
      secs: { expr: apply('dateSecondsSinceMidnight', f('t')), dataType: 'integer' },
      since: { expr: apply('dateSecondsSinceYear', f('d'), k(1970)), dataType: 'integer' },
    });
    expect(ev.evaluate({ d: '1970-01-11', t: '01:02:03' }).outputs).toMatchObject({
      days: 10,
      days1960: 3663,
      secs: 3723,
      since: 864000,
    });
  });

  it('DefineFunction, also calling another function, and TransformationDictionary fields used by the model', () => {
    const transformations = `
      <DefineFunction name="square" optype="continuous" dataType="double">
        <ParameterField name="a" dataType="double"/>
        ${apply('*', f('a'), f('a'))}
      </DefineFunction>
      <DefineFunction name="hyp" optype="continuous" dataType="double">
        <ParameterField name="a" dataType="double"/><ParameterField name="b" dataType="double"/>
        ${apply('sqrt', apply('+', apply('square', f('a')), apply('square', f('b'))))}
      </DefineFunction>
      <DerivedField name="len" optype="continuous" dataType="double">${apply('hyp', f('x'), f('z'))}</DerivedField>`;
    const ev = expressions(
      {
        len: { expr: f('len') },
        nested: { expr: apply('square', apply('square', f('x'))) },
        twice: { expr: f('twice') },
      },
      transformations,
      `<DerivedField name="twice" optype="continuous" dataType="double">${apply('*', f('len'), k(2))}</DerivedField>`,
    );
    expect(ev.evaluate({ x: 3, z: 4 }).outputs).toMatchObject({ len: 5, nested: 81, twice: 10 });
  });

  it('reports unknown functions, wrong arity, unknown fields and definition cycles', () => {
    expectInvalidArgument(
      () => expressions({ a: { expr: apply('frobnicate', f('x')) } }),
      '<Apply>',
      "unknown function 'frobnicate'",
    );
    expectInvalidArgument(
      () => expressions({ a: { expr: apply('sqrt', f('x'), f('z')) } }),
      '<Apply>',
      "'sqrt' takes 1",
    );
    expectInvalidArgument(
      () => expressions({ a: { expr: f('nope') } }),
      '<FieldRef>',
      "undefined field 'nope'",
    );
    const cyclic = `
      <DerivedField name="p" optype="continuous" dataType="double">${f('q')}</DerivedField>
      <DerivedField name="q" optype="continuous" dataType="double">${f('p')}</DerivedField>`;
    expectInvalidArgument(
      () => expressions({ a: { expr: f('p') } }, cyclic),
      '<FieldRef>',
      'defined in terms of itself',
    );
  });

  it('an invalid function result fails the record unless invalidValueTreatment says otherwise', () => {
    const ev = expressions({
      asMissing: { expr: `<Apply function="ln" invalidValueTreatment="asMissing">${f('x')}</Apply>` },
    });
    expect(ev.evaluate({ x: -1 }).outputs['asMissing']).toBeNull();
    const strict = expressions({ strict: { expr: apply('ln', f('x')) } });
    expectInvalidArgument(() => strict.evaluate({ x: -1 }), "function 'ln' returned an invalid result");
  });
});

describe('Targets', () => {
  const model = (target: string) =>
    parsePmml(
      pmmlDoc(
        double('x') + double('y'),
        `<RegressionModel functionName="regression">
           <MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/></MiningSchema>
           <Targets>${target}</Targets>
           <RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
         </RegressionModel>`,
      ),
    );

  it('clips to min/max, then rescales, then casts', () => {
    const ev = model(
      '<Target field="y" min="0" max="10" rescaleFactor="2" rescaleConstant="0.5" castInteger="floor"/>',
    );
    expect(ev.evaluate({ x: 3.3 }).value).toBe(7); // 3.3·2 + 0.5 = 7.1 → 7
    expect(ev.evaluate({ x: 50 }).value).toBe(20); // clipped to 10 → 20.5 → 20
    expect(ev.evaluate({ x: -5 }).value).toBe(0); // clipped to 0 → 0.5 → 0
    expect(model('<Target field="y" castInteger="round"/>').evaluate({ x: 2.5 }).value).toBe(3);
    expect(model('<Target field="y" castInteger="ceiling"/>').evaluate({ x: 2.1 }).value).toBe(3);
  });

  it('uses TargetValue@defaultValue when the model cannot predict', () => {
    expect(model('<Target field="y"><TargetValue defaultValue="42"/></Target>').evaluate({}).value).toBe(42);
  });
});

describe('numeric helpers', () => {
  it('erf and the normal CDF match reference values', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 15);
    expect(erf(2.5)).toBeCloseTo(0.999593047982555, 15);
    expect(stdNormalCdf(1)).toBeCloseTo(0.8413447460685429, 15);
    expect(stdNormalCdf(-3) / 0.0013498980316300946).toBeCloseTo(1, 13);
    expect(stdNormalCdf(-8) / 6.22096057427178e-16).toBeCloseTo(1, 12);
    expect(stdNormalIdf(0.975)).toBeCloseTo(1.959963984540054, 12);
  });

  it('string values given for FeatureValue parse consistently', () => {
    const v: FeatureValue = '1e3';
    const ev = expressions({ v: { expr: f('x') } });
    expect(ev.evaluate({ x: v }).outputs['v']).toBe(1000);
  });
});

describe('TextIndex', () => {
  const idx = (attrs: string, term: string, inner = '') =>
    `<TextIndex textField="s" ${attrs}>${inner}<Constant dataType="string">${term}</Constant></TextIndex>`;
  const normalization = `
    <TextIndexNormalization><InlineTable>
      <row><string>mats?</string><stem>cat</stem><regex>true</regex></row>
    </InlineTable></TextIndexNormalization>`;

  it('counts term occurrences after tokenizing (case-insensitive, punctuation trimmed), with term weights', () => {
    const ev = expressions({
      tf: { expr: idx('', 'cat') },
      binary: { expr: idx('localTermWeights="binary"', 'cat') },
      log: { expr: idx('localTermWeights="logarithmic"', 'cat') },
      phrase: { expr: idx('', 'the cat') },
      caseSensitive: { expr: idx('isCaseSensitive="true"', 'cat') },
      normalized: { expr: idx('', 'cat', normalization) },
      fuzzy: { expr: idx('maxLevenshteinDistance="1"', 'bat') },
    });
    // 'bat' is within one edit of cat, sat, CAT and mat
    const o = ev.evaluate({ s: 'The cat; sat on the CAT mat.' }).outputs;
    expect(o).toMatchObject({ tf: 2, binary: 1, phrase: 2, caseSensitive: 1, normalized: 3, fuzzy: 4 });
    expect(o['log']).toBeCloseTo(Math.log10(3), 15);
  });
});

describe('Output features', () => {
  it('residual, predictedDisplayValue (from DataField Value@displayValue) and decision', () => {
    const reg = parsePmml(
      pmmlDoc(
        double('x') + double('y'),
        `<RegressionModel functionName="regression">
           <MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/></MiningSchema>
           <Output>
             <OutputField name="res" feature="residual" dataType="double"/>
             <OutputField name="verdict" feature="decision" dataType="string">
               <Apply function="if"><Apply function="greaterThan"><FieldRef field="x"/><Constant>0</Constant></Apply>
                 <Constant dataType="string">approve</Constant><Constant dataType="string">decline</Constant></Apply>
             </OutputField>
           </Output>
           <RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable>
         </RegressionModel>`,
      ),
    );
    expect(reg.evaluate({ x: 2, y: 4 }).outputs).toMatchObject({ y: 5, res: -1, verdict: 'approve' });
    expect(reg.evaluate({ x: -1 }).outputs).toMatchObject({ res: null, verdict: 'decline' });

    const cls = parsePmml(
      pmmlDoc(
        double('x') +
          '<DataField name="t" optype="categorical" dataType="integer"><Value value="0" displayValue="no"/><Value value="1" displayValue="yes"/></DataField>',
        `<TreeModel functionName="classification" noTrueChildStrategy="returnLastPrediction">
           <MiningSchema><MiningField name="t" usageType="target"/><MiningField name="x"/></MiningSchema>
           <Output><OutputField name="label" feature="predictedDisplayValue" dataType="string"/></Output>
           <Node score="0"><True/><Node score="1"><SimplePredicate field="x" operator="greaterThan" value="0"/></Node></Node>
         </TreeModel>`,
      ),
    );
    const r = cls.evaluate({ x: 1 });
    // an integer target predicts integers; the display value comes from the DataDictionary
    expect(r.value).toBe(1);
    expect(r.outputs['label']).toBe('yes');
    expect(cls.evaluate({ x: -1 }).outputs['label']).toBe('no');
  });

  it('boolean and float fields convert their inputs', () => {
    const ev = parsePmml(
      pmmlDoc(
        '<DataField name="b" optype="categorical" dataType="boolean"/><DataField name="f" optype="continuous" dataType="float"/>' +
          double('y'),
        `<TreeModel functionName="regression" missingValueStrategy="nullPrediction">
           <MiningSchema><MiningField name="y" usageType="target"/><MiningField name="b"/><MiningField name="f"/></MiningSchema>
           <Node score="0"><True/>
             <Node score="1"><CompoundPredicate booleanOperator="and">
               <SimplePredicate field="b" operator="equal" value="true"/>
               <SimplePredicate field="f" operator="lessOrEqual" value="0.1"/>
             </CompoundPredicate></Node>
             <Node score="2"><True/></Node>
           </Node>
         </TreeModel>`,
      ),
    );
    // 0.1 as a float is 0.100000001490116…; the field value is rounded to float the same way
    expect(ev.evaluate({ b: 'true', f: 0.1 }).value).toBe(1);
    expect(ev.evaluate({ b: true, f: '0.1' }).value).toBe(1);
    expect(ev.evaluate({ b: 1, f: 0.2 }).value).toBe(2);
    expect(ev.evaluate({ b: false, f: 0 }).value).toBe(2);
  });
});
