import { parseCsv } from '@modelserving/csv';
import { WINE_COLUMNS } from '@modelserving/testing';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FeatureValue } from '@modelserving/model-core';
import { describe, expect, it } from 'vitest';
import { loadManifest } from './conformance-runner';
import { parsePmml, type PmmlEvaluator } from './evaluator';
import { double, miningSchema, pmmlDoc } from './__fixtures__/pmml-doc';

/**
 * The generated fast path (fast-path.ts) must be invisible: for every record, an evaluator with it returns
 * exactly what the general evaluator returns (same values, same keys in the same order, same presence of
 * `confidence`) or throws the same error. Checked on the spec's own models with every kind of awkward input,
 * and on the shared conformance, DMG and wine models with their inputs and mutations of them.
 */

type Rec = Record<string, unknown>;

function outcome(ev: PmmlEvaluator, rec: Rec): unknown {
  try {
    const r = ev.evaluate(rec as Record<string, FeatureValue>);
    return {
      r,
      keys: Object.keys(r),
      outputKeys: Object.keys(r.outputs),
      targetKeys: Object.keys(r.targets),
    };
  } catch (err) {
    const e = err as Error & { code?: unknown };
    return { error: `${String(e.code)}: ${e.message}` };
  }
}

function pair(xml: string | Uint8Array): [PmmlEvaluator, PmmlEvaluator] {
  return [parsePmml(xml), parsePmml(xml, { fastPath: false })];
}

function hasFastPath(ev: PmmlEvaluator): boolean {
  return (ev as unknown as { fast: unknown }).fast !== undefined;
}

const AWKWARD: readonly unknown[] = [
  null,
  undefined,
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  1e-320,
  1e300,
  '',
  ' ',
  'NA',
  'garbage',
  '2.5',
  '1e3',
  true,
  false,
  [1],
  { x: 1 },
];

/** The record, then for each field the record with that field replaced by each awkward value or deleted. */
function mutations(rec: Rec, fields: readonly string[]): Rec[] {
  const out: Rec[] = [rec];
  for (const f of fields) {
    for (const v of AWKWARD) out.push({ ...rec, [f]: v });
    const without = { ...rec };
    delete without[f];
    out.push(without);
  }
  return out;
}

function expectSame(fast: PmmlEvaluator, slow: PmmlEvaluator, records: readonly Rec[], label: string) {
  for (const [i, rec] of records.entries()) {
    expect(outcome(fast, rec), `${label}, record ${i}: ${JSON.stringify(rec)}`).toEqual(outcome(slow, rec));
  }
}

const WINE_INPUTS = ['alcohol', 'volatile acidity', 'sulphates', 'fixed acidity', 'pH'];
const wineDict = (extra = '') =>
  WINE_INPUTS.map(double).join('') +
  `<DataField name="grade" optype="categorical" dataType="string"><Value value="good"/><Value value="bad"/></DataField>` +
  extra;

const LOGISTIC = pmmlDoc(
  wineDict(),
  `<RegressionModel functionName="classification" normalizationMethod="logit">
  ${miningSchema('grade', ['alcohol', 'volatile acidity', 'sulphates'])}
  <Output>
    <OutputField name="P_good" feature="probability" value="good"/>
    <OutputField name="P_bad" optype="continuous" dataType="double" feature="probability" value="bad"/>
    <OutputField name="label" feature="predictedValue"/>
    <OutputField name="display" feature="predictedDisplayValue"/>
    <OutputField name="conf" feature="confidence"/>
    <OutputField name="p_any" feature="probability"/>
    <OutputField name="p_text" dataType="string" feature="probability" value="good"/>
  </Output>
  <RegressionTable targetCategory="good" intercept="-10.5">
    <NumericPredictor name="alcohol" coefficient="0.9"/>
    <NumericPredictor name="volatile acidity" coefficient="-3.2" exponent="2"/>
    <NumericPredictor name="sulphates" coefficient="2.1"/>
    <NumericPredictor name="alcohol" coefficient="1e-7"/>
  </RegressionTable>
  <RegressionTable targetCategory="bad" intercept="0"/>
</RegressionModel>`,
);

describe('generated fast path', () => {
  it('is used for simple regression and tree models and gives the general results', () => {
    const [fast, slow] = pair(LOGISTIC);
    expect(hasFastPath(fast)).toBe(true);
    expect(hasFastPath(slow)).toBe(false);
    const base = { alcohol: 11, 'volatile acidity': 0.5, sulphates: 0.7 };
    expectSame(fast, slow, mutations(base, Object.keys(base)), 'logistic');
    // extreme linear predictors: probabilities saturate, NaN predictor falls back
    expectSame(
      fast,
      slow,
      [
        { ...base, alcohol: 1e308 },
        { ...base, alcohol: -1e308 },
        { ...base, alcohol: 1e308, sulphates: -1e308 },
      ],
      'logistic extremes',
    );
  });

  it('normalizes multi-class and ordinal classification tables like the general evaluator', () => {
    const dict = (optype: string) =>
      double('x1') +
      double('x2') +
      `<DataField name="y" optype="${optype}" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/><Value value="a2"/></DataField>`;
    const tables = (cats: readonly string[]) =>
      cats
        .map(
          (c, i) =>
            `<RegressionTable targetCategory="${c}" intercept="${i * 0.3 - 0.2}"><NumericPredictor name="x1" coefficient="${0.5 - i}"/><NumericPredictor name="x2" coefficient="${i * 0.7}"/></RegressionTable>`,
        )
        .join('');
    for (const [optype, norm, cats] of [
      ['categorical', 'softmax', ['a', 'b', 'c']],
      ['categorical', 'simplemax', ['a', 'b', 'c']],
      ['categorical', 'none', ['a', 'b', 'c']],
      ['categorical', 'logit', ['a', 'b', 'c']],
      ['categorical', 'softmax', ['a', 'b']],
      ['categorical', 'probit', ['a', 'b']],
      ['categorical', 'none', ['a', 'b']],
      ['categorical', 'softmax', ['a', 'b', 'a']],
      ['ordinal', 'logit', ['a', 'b', 'c']],
      ['ordinal', 'cloglog', ['a', 'b']],
      ['ordinal', 'softmax', ['a', 'b']],
    ] as const) {
      const xml = pmmlDoc(
        dict(optype),
        `<RegressionModel functionName="classification" normalizationMethod="${norm}">${miningSchema('y', ['x1', 'x2'])}
        <Output><OutputField name="pa" feature="probability" value="a"/><OutputField name="pc" feature="probability" value="c"/>
          <OutputField name="pa2" feature="probability" value="a2"/><OutputField name="any" feature="probability"/>
          <OutputField name="conf" feature="confidence"/><OutputField name="res" feature="residual"/></Output>
        ${tables(cats)}</RegressionModel>`,
      );
      const withoutResidual = xml.replace('<OutputField name="res" feature="residual"/>', '');
      for (const doc of [xml, withoutResidual]) {
        const [fast, slow] = pair(doc);
        expect(hasFastPath(fast)).toBe(doc === withoutResidual);
        const recs: Rec[] = [];
        for (const x1 of [-3, -0.5, 0, 0.4, 2, 1e6]) for (const x2 of [-1, 0, 0.25, 3]) recs.push({ x1, x2 });
        recs.push(...mutations({ x1: 0.4, x2: 0.25 }, ['x1', 'x2']));
        expectSame(fast, slow, recs, `${optype}/${norm}/${cats.join(',')}`);
      }
    }
  });

  it('applies every MiningField and DataField treatment exactly as the general evaluator', () => {
    const dict =
      `<DataField name="a" optype="continuous" dataType="double"><Interval closure="closedClosed" leftMargin="0" rightMargin="10"/></DataField>` +
      `<DataField name="b" optype="continuous" dataType="double"><Value value="-999" property="missing"/></DataField>` +
      `<DataField name="c" optype="continuous" dataType="integer"/>` +
      `<DataField name="d" optype="continuous" dataType="float"/>` +
      `<DataField name="e" optype="continuous" dataType="double"/>` +
      `<DataField name="y" optype="continuous" dataType="double"/>`;
    const schema = `<MiningSchema><MiningField name="y" usageType="target"/>
      <MiningField name="a" invalidValueTreatment="asMissing" missingValueReplacement="5"/>
      <MiningField name="b" missingValueTreatment="returnInvalid"/>
      <MiningField name="c" invalidValueTreatment="asIs"/>
      <MiningField name="d" outliers="asExtremeValues" lowValue="-1" highValue="1"/>
      <MiningField name="e" outliers="asMissingValues" lowValue="-1" highValue="1" missingValueReplacement="0.5"/>
    </MiningSchema>`;
    for (const norm of ['none', 'exp', 'probit', 'cloglog']) {
      const xml = pmmlDoc(
        dict,
        `<RegressionModel functionName="regression" normalizationMethod="${norm}">${schema}
        <Output><OutputField name="out" feature="predictedValue"/><OutputField name="p" feature="probability"/><OutputField name="t" feature="transformedValue"/></Output>
        <RegressionTable intercept="0.25">
          <NumericPredictor name="a" coefficient="0.1"/><NumericPredictor name="b" coefficient="0.2"/>
          <NumericPredictor name="c" coefficient="0.3" exponent="3"/><NumericPredictor name="d" coefficient="0.4"/>
          <NumericPredictor name="e" coefficient="-0.5"/>
        </RegressionTable></RegressionModel>`,
      );
      const [fast, slow] = pair(xml);
      expect(hasFastPath(fast)).toBe(true);
      const base = { a: 3, b: 2, c: 4, d: 0.3, e: 0.2 };
      const recs = mutations(base, Object.keys(base));
      recs.push({ ...base, a: 11 }, { ...base, b: -999 }, { ...base, b: '-999' }, { ...base, c: 2.5 });
      recs.push({ ...base, d: 7 }, { ...base, d: -7 }, { ...base, e: 3 }, { ...base, e: -3 });
      expectSame(fast, slow, recs, norm);
    }
  });

  it('walks trees like the general evaluator (every strategy, operators, True/False, no true child)', () => {
    const node = (id: string, pred: string, body = '', score = '') =>
      `<Node id="${id}"${score ? ` score="${score}"` : ''}>${pred}${body}</Node>`;
    const sp = (f: string, op: string, v: string) =>
      `<SimplePredicate field="${f}" operator="${op}" value="${v}"/>`;
    const dist = (a: number, b: number) =>
      `<ScoreDistribution value="good" recordCount="${a}"/><ScoreDistribution value="bad" recordCount="${b}"/>`;
    for (const strategy of [
      'none',
      'lastPrediction',
      'nullPrediction',
      'weightedConfidence',
      'aggregateNodes',
    ]) {
      for (const noTrue of ['returnNullPrediction', 'returnLastPrediction']) {
        const xml = pmmlDoc(
          wineDict(),
          `<TreeModel functionName="classification" missingValueStrategy="${strategy}" noTrueChildStrategy="${noTrue}">
          ${miningSchema('grade', WINE_INPUTS)}
          <Output><OutputField name="P_good" feature="probability" value="good"/><OutputField name="node" feature="entityId"/>
            <OutputField name="conf" feature="confidence"/><OutputField name="disp" feature="predictedDisplayValue"/></Output>
          ${node(
            'root',
            '<True/>',
            node(
              'n1',
              sp('alcohol', 'lessOrEqual', '10.5'),
              node('n11', sp('pH', 'lessThan', '3.2'), dist(3, 1), 'good') +
                node('n12', sp('pH', 'greaterOrEqual', '3.3'), dist(1, 3), 'bad'),
              'good',
            ) +
              node('n2', '<False/>', dist(1, 1), 'bad') +
              node(
                'n3',
                sp('alcohol', 'greaterThan', '10.5'),
                node('n31', sp('sulphates', 'equal', '0.5'), dist(5, 0), 'good') +
                  node('n32', sp('sulphates', 'notEqual', '0.5'), '', 'bad'),
              ) +
              node('n4', '<True/>', dist(0, 2), 'bad'),
            'good',
          )}
          </TreeModel>`,
        );
        const [fast, slow] = pair(xml);
        expect(hasFastPath(fast)).toBe(true);
        const recs: Rec[] = [];
        for (const alcohol of [9, 10.5, 11]) {
          for (const pH of [3.1, 3.25, 3.4]) {
            for (const sulphates of [0.5, 0.6]) recs.push({ alcohol, pH, sulphates });
          }
        }
        recs.push(...mutations({ alcohol: 9, pH: 3.1, sulphates: 0.5 }, ['alcohol', 'pH']));
        recs.push(...mutations({ alcohol: 11, pH: 3.1, sulphates: 0.5 }, ['sulphates']));
        expectSame(fast, slow, recs, `${strategy}/${noTrue}`);
      }
    }
  });

  it('embeds no document text as code (names, values and categories are data)', () => {
    const names = [
      'a"b',
      "c'd",
      'e\\f',
      'g`${h}`',
      'i\u2028j',
      '</script>',
      '"); throw new Error("injected"); ("',
      'constructor',
      'toString',
      '0',
      '\ud83d\ude00',
    ];
    const esc = (s: string) =>
      s
        .replace(/&/g, '&amp;')
        .replace(/"/g, '&quot;')
        .replace(/</g, '&lt;')
        .replace(/\u2028/g, '&#x2028;');
    const target = esc('"; process.exit(1); "');
    const cats = ['x"y', '1e400', "'z"];
    const dict =
      names.map((n) => `<DataField name="${esc(n)}" optype="continuous" dataType="double"/>`).join('') +
      `<DataField name="${target}" optype="categorical" dataType="string">${cats.map((c) => `<Value value="${esc(c)}"/>`).join('')}</DataField>`;
    const xml = pmmlDoc(
      dict,
      `<TreeModel functionName="classification">
      <MiningSchema><MiningField name="${target}" usageType="target"/>${names.map((n) => `<MiningField name="${esc(n)}"/>`).join('')}</MiningSchema>
      <Output>${names.map((n, i) => `<OutputField name="${esc(n)}_out${i}" feature="probability" value="x&quot;y"/>`).join('')}
        <OutputField name="__proto__" feature="predictedValue"/></Output>
      <Node id="root"><True/>
        ${names.map((n, i) => `<Node id="${esc(n)}" score="${i % 2 ? 'x&quot;y' : '1e400'}"><SimplePredicate field="${esc(n)}" operator="lessThan" value="${i === 0 ? '1e-320' : i === 1 ? '-0' : i}"/></Node>`).join('')}
        <Node id="last" score="'z"><True/></Node>
      </Node></TreeModel>`,
    );
    // __proto__ as an output name keeps the general path
    const [withProto, withProtoSlow] = pair(xml);
    expect(hasFastPath(withProto)).toBe(false);
    const rec = Object.fromEntries(names.map((n, i) => [n, i + 0.5]));
    expectSame(withProto, withProtoSlow, [rec], 'proto');

    const [fast, slow] = pair(xml.replace('<OutputField name="__proto__" feature="predictedValue"/>', ''));
    expect(hasFastPath(fast)).toBe(true);
    const recs: Rec[] = [rec, { ...rec, 'a"b': 0 }, { ...rec, 'a"b': 1e-321 }];
    for (const [i, n] of names.entries())
      recs.push({ ...rec, ...Object.fromEntries(names.slice(0, i).map((m) => [m, 1e9])), [n]: -1 });
    recs.push(Object.fromEntries(names.map((n) => [n, 1e9])));
    expectSame(fast, slow, [...recs, ...mutations(rec, names)], 'escaping');
  });

  const SHARED = process.env['MODELSERVING_SHARED'] ?? path.resolve(__dirname, '../../../../shared');
  const CONFORMANCE = path.join(SHARED, 'conformance', 'pmml');
  const haveConformance = existsSync(path.join(CONFORMANCE, 'MANIFEST.json'));

  it.skipIf(!haveConformance)(
    'matches the general evaluator on every conformance and wine model',
    () => {
      let withFastPath = 0;
      const check = (label: string, xml: Buffer, records: Rec[]) => {
        const [fast, slow] = pair(xml);
        if (!hasFastPath(fast)) return;
        withFastPath++;
        const fields = fast.signature().inputs.map((i) => i.name);
        const all = [...records, ...mutations(records[0] ?? {}, fields)];
        expectSame(fast, slow, all, label);
      };
      for (const c of loadManifest(SHARED)) {
        const rows = parseCsv(readFileSync(path.join(CONFORMANCE, c.input), 'utf8'));
        const header = rows[0] ?? [];
        const text = rows
          .slice(1)
          .map((line) => Object.fromEntries(header.map((h, i) => [h, line[i] === 'NA' ? null : line[i]])));
        const numeric = text.map((r) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [
              k,
              v !== null && v !== undefined && v !== '' && !isNaN(Number(v)) ? Number(v) : v,
            ]),
          ),
        );
        check(c.id, readFileSync(path.join(CONFORMANCE, c.pmml)), [...text, ...numeric]);
      }
      const wineDir = path.join(SHARED, 'fixtures', 'wine');
      const wines = readFileSync(path.join(wineDir, 'winequality_red.csv'), 'utf8')
        .split(/\r?\n/)
        .filter((l) => l.trim().length > 0)
        .slice(0, 200)
        .map((l) => Object.fromEntries(l.split(';').map((v, i) => [WINE_COLUMNS[i]!, Number(v)])));
      for (const f of readdirSync(path.join(wineDir, 'pmml')))
        check(f, readFileSync(path.join(wineDir, 'pmml', f)), wines);
      expect(withFastPath).toBeGreaterThanOrEqual(5);
    },
    120_000,
  );
});
