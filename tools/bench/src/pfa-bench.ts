import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelType, type Features, type Model } from '@modelserving/model-core';
import { PfaEngine, PfaModelFactory, avroFieldName, type Value } from '@modelserving/pfa';
import { parsePmml } from '@modelserving/pmml';
import { readWineCsv, sharedDir } from '@modelserving/testing';
import { fmt } from './stats';

/**
 * PFA engine benchmark: records/s for PFA versions of the wine linear regression and the wine regression
 * tree against the PMML engine on the same models, measured side by side in alternating rounds (the
 * machine is shared and noisy, so only ratios taken in one run mean much).
 *
 * The PFA documents are translated from the shared PMML fixtures here, at run time (the fixtures are
 * third-party data and are never copied into the repository), and every wine is scored by both engines and
 * compared before anything is timed, so the two sides do the same work.
 *
 * Three figures per model: PMML `evaluate(features)`; PFA through the served path (`PfaModel.score`, which
 * maps the feature record onto the Avro input record and wraps the result); and the bare PFA engine on
 * prepared input records (`engine.action`), which isolates the compiled closures from the adapter.
 */

export interface PfaBenchOptions {
  /** Alternating rounds per model. Default 7. */
  readonly rounds?: number;
  /** Milliseconds per round and side. Default 200. */
  readonly roundMs?: number;
  readonly shared?: string;
  readonly log?: (line: string) => void;
}

export interface PfaBenchRow {
  readonly model: string;
  /** Median records/s over the rounds. */
  readonly pmml: number;
  readonly pfaServed: number;
  readonly pfaEngine: number;
  /** Largest |PFA − PMML| over the wines (checked before timing). */
  readonly maxDiff: number;
}

const WINE_PMML = ['fixtures', 'wine', 'pmml'];

// ---------------------------------------------------------------------------------------------------------
// PMML → PFA, for the two shapes the wine fixtures use.

/** A RegressionModel with one RegressionTable of NumericPredictors → `model.reg.linear` over a cell. */
export function regressionToPfa(pmml: string): string {
  const intercept = Number(/<RegressionTable[^>]*intercept="([^"]+)"/.exec(pmml)?.[1]);
  const preds = [...pmml.matchAll(/<NumericPredictor\s+name="([^"]+)"[^>]*?coefficient="([^"]+)"/g)].map(
    (m) => ({
      name: m[1]!,
      coeff: Number(m[2]),
    }),
  );
  if (!Number.isFinite(intercept) || preds.length === 0)
    throw new Error('not a single-table linear regression');
  if (/exponent="(?!1")/.test(pmml)) throw new Error('only exponent 1 predictors are translated');
  return JSON.stringify({
    name: 'wine_linear_regression',
    input: {
      type: 'record',
      name: 'Wine',
      fields: preds.map((p) => ({ name: avroFieldName(p.name), type: 'double' })),
    },
    output: 'double',
    cells: {
      model: {
        type: {
          type: 'record',
          name: 'Linear',
          fields: [
            { name: 'coeff', type: { type: 'array', items: 'double' } },
            { name: 'const', type: 'double' },
          ],
        },
        init: { coeff: preds.map((p) => p.coeff), const: intercept },
      },
    },
    action: {
      'model.reg.linear': [
        { new: preds.map((p) => `input.${avroFieldName(p.name)}`), type: { type: 'array', items: 'double' } },
        { cell: 'model' },
      ],
    },
  });
}

interface XNode {
  score: number;
  field?: string;
  op?: string;
  value?: number;
  children: XNode[];
}

/** Parses the Node/SimplePredicate skeleton of a TreeModel (the only elements binary wine trees use). */
function parseTree(pmml: string): XNode {
  const root: XNode = { score: NaN, children: [] };
  const stack: XNode[] = [root];
  for (const m of pmml.matchAll(
    /<Node\b([^>]*?)(\/?)>|<\/Node>|<SimplePredicate\s+field="([^"]+)"\s+operator="([^"]+)"\s+value="([^"]+)"/g,
  )) {
    if (m[0].startsWith('</Node')) stack.pop();
    else if (m[0].startsWith('<Node')) {
      const node: XNode = { score: Number(/score="([^"]+)"/.exec(m[1]!)?.[1]), children: [] };
      stack.at(-1)!.children.push(node);
      if (m[2] !== '/') stack.push(node);
    } else {
      const n = stack.at(-1)!;
      n.field = m[3]!;
      n.op = m[4]!;
      n.value = Number(m[5]);
    }
  }
  if (root.children.length !== 1) throw new Error('expected one root Node');
  return root.children[0]!;
}

/**
 * A binary regression TreeModel (every inner node has a `lessOrEqual` child then the matching
 * `greaterThan` child) → `model.tree.simpleTree` over a cell of TreeNode records.
 */
export function treeToPfa(pmml: string): string {
  const fields = [
    ...new Set(
      [...pmml.matchAll(/<MiningField\s+name="([^"]+)"(?![^>]*usageType="target")/g)].map((m) => m[1]!),
    ),
  ];
  const node = (n: XNode): unknown => {
    if (n.children.length === 0) return { double: n.score };
    const [le, gt] = n.children;
    if (
      n.children.length !== 2 ||
      le!.op !== 'lessOrEqual' ||
      gt!.op !== 'greaterThan' ||
      le!.field !== gt!.field ||
      le!.value !== gt!.value
    )
      throw new Error('only binary lessOrEqual/greaterThan splits are translated');
    return {
      TreeNode: {
        field: avroFieldName(le!.field!),
        operator: '<=',
        value: le!.value,
        pass: node(le!),
        fail: node(gt!),
      },
    };
  };
  const root = node(parseTree(pmml)) as { TreeNode?: unknown };
  if (!root.TreeNode) throw new Error('the tree is a single leaf');
  return JSON.stringify({
    name: 'wine_regression_tree',
    input: {
      type: 'record',
      name: 'Wine',
      fields: fields.map((f) => ({ name: avroFieldName(f), type: 'double' })),
    },
    output: 'double',
    cells: {
      tree: {
        type: {
          type: 'record',
          name: 'TreeNode',
          fields: [
            { name: 'field', type: { type: 'enum', name: 'Field', symbols: fields.map(avroFieldName) } },
            { name: 'operator', type: 'string' },
            { name: 'value', type: 'double' },
            { name: 'pass', type: ['TreeNode', 'double'] },
            { name: 'fail', type: ['TreeNode', 'double'] },
          ],
        },
        init: root.TreeNode,
      },
    },
    action: { 'model.tree.simpleTree': ['input', { cell: 'tree' }] },
  });
}

// ---------------------------------------------------------------------------------------------------------

function rate<T>(records: readonly T[], ms: number, score: (r: T) => unknown): number {
  let n = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < records.length; i++) score(records[i]!);
    n += records.length;
    elapsed = performance.now() - t0;
  } while (elapsed < ms);
  return (n * 1000) / elapsed;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function benchModel(
  model: string,
  pmmlText: string,
  pfaText: string,
  rows: readonly Features[],
  rounds: number,
  roundMs: number,
): Promise<PfaBenchRow> {
  const pmml = parsePmml(pmmlText);
  const served: Model = await new PfaModelFactory().create({
    key: `bench/${model}`,
    name: model,
    description: `${model} in PFA (bench)`,
    dataType: 'wine',
    modelType: ModelType.PFA,
    content: new TextEncoder().encode(pfaText),
    metadata: {},
  });
  const engine = PfaEngine.fromDocument(pfaText);
  const fieldNames = (JSON.parse(pfaText) as { input: { fields: { name: string }[] } }).input.fields.map(
    (f) => f.name,
  );
  const records = rows.map((r) => {
    const rec: Record<string, Value> = {};
    for (const [k, v] of Object.entries(r))
      if (fieldNames.includes(avroFieldName(k))) rec[avroFieldName(k)] = v as number;
    return rec as Value;
  });
  let maxDiff = 0;
  rows.forEach((r, i) => {
    const a = pmml.evaluate(r).value as number;
    const b = served.score({ dataType: 'wine', features: r }).value as number;
    const c = engine.action(records[i]!) as number;
    maxDiff = Math.max(maxDiff, Math.abs(a - b), Math.abs(a - c));
  });
  if (!(maxDiff <= 1e-9)) throw new Error(`${model}: PFA and PMML disagree by ${maxDiff}`);
  // Results are kept so V8 cannot drop the work of either side.
  const kept: unknown[] = new Array<unknown>(1024).fill(null);
  let k = 0;
  const sides: [number[], () => number][] = [
    [[], () => rate(rows, roundMs, (r) => (kept[k++ & 1023] = pmml.evaluate(r)))],
    [
      [],
      () => rate(rows, roundMs, (r) => (kept[k++ & 1023] = served.score({ dataType: 'wine', features: r }))),
    ],
    [[], () => rate(records, roundMs, (r) => (kept[k++ & 1023] = engine.action(r)))],
  ];
  for (const [, run] of sides) run(); // warm-up
  for (let i = 0; i < rounds; i++) for (const [out, run] of sides) out.push(run());
  if (kept[0] === 42) console.log('');
  return {
    model,
    pmml: median(sides[0]![0]),
    pfaServed: median(sides[1]![0]),
    pfaEngine: median(sides[2]![0]),
    maxDiff,
  };
}

export async function pfaBench(options: PfaBenchOptions = {}): Promise<PfaBenchRow[]> {
  const log = options.log ?? ((l: string) => console.log(l));
  const shared = options.shared ?? sharedDir();
  const rounds = options.rounds ?? 7;
  const roundMs = options.roundMs ?? 200;
  const dir = join(shared, ...WINE_PMML);
  const rows = readWineCsv(join(shared, 'fixtures', 'wine', 'winequality_red.csv')).map(
    (r) => r.features as Features,
  );
  const reg = readFileSync(join(dir, 'winequalityLinearRegression.pmml'), 'utf8');
  const tree = readFileSync(join(dir, 'winequalityDesisionTreeRegression.pmml'), 'utf8');
  const out = [
    await benchModel('wine linear regression', reg, regressionToPfa(reg), rows, rounds, roundMs),
    await benchModel('wine regression tree', tree, treeToPfa(tree), rows, rounds, roundMs),
  ];
  log(
    `\n## PFA vs PMML (records/s, median of ${rounds} alternating rounds of ${roundMs} ms, ${rows.length} wines)`,
  );
  log(
    '| model | PMML evaluate | PFA served (PfaModel.score) | PFA engine.action | served / PMML | max |Δ| |',
  );
  log('|---|---|---|---|---|---|');
  for (const r of out)
    log(
      `| ${r.model} | ${fmt(r.pmml, 0)} | ${fmt(r.pfaServed, 0)} | ${fmt(r.pfaEngine, 0)} | ${((100 * r.pfaServed) / r.pmml).toFixed(0)} % | ${r.maxDiff.toExponential(1)} |`,
    );
  return out;
}
