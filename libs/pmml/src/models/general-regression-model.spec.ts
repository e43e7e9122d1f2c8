import { describe, expect, it } from 'vitest';
import { categorical, double, expectInvalidArgument, miningSchema, pmmlDoc } from '../__fixtures__/pmml-doc';
import { parsePmml } from '../evaluator';
import { stdNormalCdf } from '../transformations/builtin-functions';

const DICT = double('x') + categorical('c', ['a', 'b', 'z']) + double('y');

/** β: intercept 1, x 0.5, x² −0.25, [c=a] 2, [c=b] −1 (c=z is the reference level). */
const PARAMS = `
  <ParameterList><Parameter name="p0"/><Parameter name="p1"/><Parameter name="p2"/><Parameter name="p3"/><Parameter name="p4"/></ParameterList>
  <FactorList><Predictor name="c"/></FactorList>
  <CovariateList><Predictor name="x"/></CovariateList>
  <PPMatrix>
    <PPCell value="1" predictorName="x" parameterName="p1"/>
    <PPCell value="2" predictorName="x" parameterName="p2"/>
    <PPCell value="a" predictorName="c" parameterName="p3"/>
    <PPCell value="b" predictorName="c" parameterName="p4"/>
  </PPMatrix>
  <ParamMatrix>
    <PCell parameterName="p0" beta="1"/><PCell parameterName="p1" beta="0.5"/><PCell parameterName="p2" beta="-0.25"/>
    <PCell parameterName="p3" beta="2"/><PCell parameterName="p4" beta="-1"/>
  </ParamMatrix>`;

const eta = (x: number, c: string) => 1 + 0.5 * x - 0.25 * x * x + (c === 'a' ? 2 : c === 'b' ? -1 : 0);

function glm(attrs: string) {
  return parsePmml(
    pmmlDoc(
      DICT,
      `<GeneralRegressionModel functionName="regression" ${attrs}>${miningSchema('y', ['x', 'c'])}${PARAMS}</GeneralRegressionModel>`,
    ),
  );
}

describe('GeneralRegressionModel (regression)', () => {
  it('generalLinear: η from factors (0/1 indicators) and covariates (raised to the PPCell value)', () => {
    const ev = glm('modelType="generalLinear"');
    for (const [x, c] of [
      [2, 'a'],
      [2, 'b'],
      [-1, 'z'],
      [0.3, 'a'],
    ] as const) {
      expect(ev.evaluate({ x, c }).value).toBeCloseTo(eta(x, c), 14);
    }
    expect(ev.evaluate({ x: 2 }).value).toBeNull();
  });

  it.each([
    ['identity', '', (e: number) => e],
    ['log', '', (e: number) => Math.exp(e)],
    ['power', 'linkParameter="-1"', (e: number) => 1 / e],
    ['power', 'linkParameter="0.5"', (e: number) => e * e],
    ['logit', '', (e: number) => 1 / (1 + Math.exp(-e))],
    ['probit', '', (e: number) => stdNormalCdf(e)],
    ['cloglog', '', (e: number) => 1 - Math.exp(-Math.exp(e))],
    ['loglog', '', (e: number) => Math.exp(-Math.exp(-e))],
    ['logc', '', (e: number) => 1 - Math.exp(e)],
    ['oddspower', 'linkParameter="2"', (e: number) => 1 / (1 + Math.pow(1 + 2 * e, -1 / 2))],
    ['negbin', 'distParameter="2"', (e: number) => 1 / (2 * (Math.exp(-e) - 1))],
  ])('generalizedLinear with the %s link %s', (link, extra, inverse) => {
    const ev = glm(`modelType="generalizedLinear" linkFunction="${link}" ${extra}`);
    expect(ev.evaluate({ x: 2, c: 'b' }).value).toBeCloseTo(inverse(eta(2, 'b')), 13);
  });

  it('generalizedLinear adds offsetValue before the link and multiplies by trialsValue', () => {
    const ev = glm('modelType="generalizedLinear" linkFunction="log" offsetValue="0.5" trialsValue="3"');
    expect(ev.evaluate({ x: 2, c: 'a' }).value).toBeCloseTo(3 * Math.exp(eta(2, 'a') + 0.5), 13);
  });

  it('needs a linkFunction for generalizedLinear', () => {
    expectInvalidArgument(
      () => glm('modelType="generalizedLinear"'),
      '<GeneralRegressionModel>',
      'linkFunction',
    );
  });

  it('rejects an unknown modelType clearly', () => {
    expectInvalidArgument(() => glm('modelType="bogus"'), '<GeneralRegressionModel>', "'modelType'", 'bogus');
  });
});

describe('GeneralRegressionModel (classification)', () => {
  const common = `
    <ParameterList><Parameter name="p0"/><Parameter name="p1"/></ParameterList>
    <CovariateList><Predictor name="x"/></CovariateList>
    <PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/></PPMatrix>`;
  const out = (cats: string[]) =>
    `<Output>${cats.map((c) => `<OutputField name="p_${c}" feature="probability" value="${c}" dataType="double"/>`).join('')}</Output>`;

  it('multinomialLogistic: softmax against a reference category with η = 0', () => {
    const doc = pmmlDoc(
      double('x') + categorical('t', ['u', 'v', 'w']),
      `<GeneralRegressionModel modelType="multinomialLogistic" functionName="classification">
         ${miningSchema('t', ['x'])}${out(['u', 'v', 'w'])}${common}
         <ParamMatrix>
           <PCell targetCategory="u" parameterName="p0" beta="1"/><PCell targetCategory="u" parameterName="p1" beta="-1"/>
           <PCell targetCategory="v" parameterName="p0" beta="-1"/><PCell targetCategory="v" parameterName="p1" beta="2"/>
         </ParamMatrix>
       </GeneralRegressionModel>`,
    );
    const r = parsePmml(doc).evaluate({ x: 1.5 });
    // η_u = −0.5, η_v = 2, η_w = 0
    const sum = Math.exp(-0.5) + Math.exp(2) + 1;
    expect(r.outputs['p_u']).toBeCloseTo(Math.exp(-0.5) / sum, 15);
    expect(r.outputs['p_v']).toBeCloseTo(Math.exp(2) / sum, 15);
    expect(r.outputs['p_w']).toBeCloseTo(1 / sum, 15);
    expect(r.value).toBe('v');
  });

  it('binary generalizedLinear (logit): the category with parameters gets the inverse link', () => {
    const doc = pmmlDoc(
      double('x') + categorical('t', ['0', '1']),
      `<GeneralRegressionModel modelType="generalizedLinear" functionName="classification" linkFunction="logit">
         ${miningSchema('t', ['x'])}${out(['0', '1'])}${common}
         <ParamMatrix><PCell targetCategory="1" parameterName="p0" beta="-2"/><PCell targetCategory="1" parameterName="p1" beta="1"/></ParamMatrix>
       </GeneralRegressionModel>`,
    );
    const ev = parsePmml(doc);
    const p1 = 1 / (1 + Math.exp(-(-2 + 3)));
    const r = ev.evaluate({ x: 3 });
    expect(r.outputs['p_1']).toBeCloseTo(p1, 15);
    expect(r.outputs['p_0']).toBeCloseTo(1 - p1, 15);
    expect(r.value).toBe('1');
    expect(ev.evaluate({ x: 0 }).value).toBe('0');
  });

  it('ordinalMultinomial: cumulative link with one intercept per category', () => {
    const doc = pmmlDoc(
      double('x') +
        '<DataField name="t" optype="ordinal" dataType="string"><Value value="lo"/><Value value="mid"/><Value value="hi"/></DataField>',
      `<GeneralRegressionModel modelType="ordinalMultinomial" functionName="classification" cumulativeLink="logit">
         ${miningSchema('t', ['x'])}${out(['lo', 'mid', 'hi'])}${common}
         <ParamMatrix>
           <PCell targetCategory="lo" parameterName="p0" beta="-1"/>
           <PCell targetCategory="mid" parameterName="p0" beta="1"/>
           <PCell parameterName="p1" beta="0.5"/>
         </ParamMatrix>
       </GeneralRegressionModel>`,
    );
    const r = parsePmml(doc).evaluate({ x: 2 });
    const c1 = 1 / (1 + Math.exp(-(-1 + 1)));
    const c2 = 1 / (1 + Math.exp(-(1 + 1)));
    expect(r.outputs['p_lo']).toBeCloseTo(c1, 15);
    expect(r.outputs['p_mid']).toBeCloseTo(c2 - c1, 15);
    expect(r.outputs['p_hi']).toBeCloseTo(1 - c2, 15);
    expect(r.value).toBe('lo');
  });
});

describe('GeneralRegressionModel contrast matrices (PMML 4.4 Predictor/Matrix)', () => {
  // Factor c coded by a 3×2 contrast matrix (rows and columns follow Categories a, b, z):
  //   a: [1, 0]   b: [-1, 1]   z: [0, -1]
  // PPCell value a → column 1, b → column 2; the record's category picks the row.
  const doc = (
    matrix: string,
    categories = '<Categories><Category value="a"/><Category value="b"/><Category value="z"/></Categories>',
  ) =>
    pmmlDoc(
      DICT,
      `<GeneralRegressionModel functionName="regression" modelType="generalLinear">${miningSchema('y', ['x', 'c'])}
        <ParameterList><Parameter name="p0"/><Parameter name="p1"/><Parameter name="p2"/><Parameter name="p3"/></ParameterList>
        <FactorList><Predictor name="c" contrastMatrixType="custom">${categories}${matrix}</Predictor></FactorList>
        <CovariateList><Predictor name="x"/></CovariateList>
        <PPMatrix>
          <PPCell value="a" predictorName="c" parameterName="p1"/>
          <PPCell value="b" predictorName="c" parameterName="p2"/>
          <PPCell value="b" predictorName="c" parameterName="p3"/><PPCell value="1" predictorName="x" parameterName="p3"/>
        </PPMatrix>
        <ParamMatrix>
          <PCell parameterName="p0" beta="10"/><PCell parameterName="p1" beta="2"/>
          <PCell parameterName="p2" beta="3"/><PCell parameterName="p3" beta="0.5"/>
        </ParamMatrix>
      </GeneralRegressionModel>`,
    );
  const dense =
    '<Matrix nbRows="3" nbCols="2"><Array type="real" n="2">1 0</Array><Array type="real" n="2">-1 1</Array><Array type="real" n="2">0 -1</Array></Matrix>';

  it('codes the factor by the matrix row of the record category, in the column of the PPCell category', () => {
    const ev = parsePmml(doc(dense));
    // b: 10 + 2·(−1) + 3·1 + 0.5·(1·4) = 13; z: 10 + 0 − 3 + 0.5·(−1·4) = 5; a: 10 + 2 + 0 + 0 = 12
    expect(ev.evaluate({ c: 'b', x: 4 }).value).toBeCloseTo(13, 14);
    expect(ev.evaluate({ c: 'z', x: 4 }).value).toBeCloseTo(5, 14);
    expect(ev.evaluate({ c: 'a', x: 4 }).value).toBeCloseTo(12, 14);
  });

  it('reads MatCell matrices and falls back to the field values without Categories', () => {
    const cells =
      '<Matrix nbRows="3" nbCols="2"><MatCell row="1" col="1">1</MatCell><MatCell row="2" col="1">-1</MatCell>' +
      '<MatCell row="2" col="2">1</MatCell><MatCell row="3" col="2">-1</MatCell></Matrix>';
    const ev = parsePmml(doc(cells, ''));
    expect(ev.evaluate({ c: 'b', x: 4 }).value).toBeCloseTo(13, 14);
    expect(ev.evaluate({ c: 'z', x: 4 }).value).toBeCloseTo(5, 14);
  });

  it('rejects a matrix whose rows do not match the categories', () => {
    const twoRows =
      '<Matrix><Array type="real" n="2">1 0</Array><Array type="real" n="2">-1 1</Array></Matrix>';
    expectInvalidArgument(() => parsePmml(doc(twoRows)), '<Matrix>', '2 rows for 3 categories');
  });
});
