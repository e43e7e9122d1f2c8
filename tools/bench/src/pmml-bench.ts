import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeatureValue, Features } from '@modelserving/model-core';
import { parseCsv } from '@modelserving/csv';
import { loadManifest, parsePmml, type PmmlEvaluator } from '@modelserving/pmml';
import { readWineCsv, sharedDir, WINE_FIELDS, type WineRow } from '@modelserving/testing';
import { fmt } from './stats';

/**
 * PMML engine benchmark, three parts measured in one run (the machine is shared and noisy, so only ratios
 * taken side by side mean much):
 *
 * 1. records/s per model type over every conformance case's model and input (evaluate only, inputs as the
 *    CSV gives them: text cells, NA as missing);
 * 2. the engine against hand-written TypeScript of the same model, for a logistic regression and a single
 *    tree over the wine features, in alternating rounds (target: engine ≥ 50 % of hand-written). Both
 *    models are written here (PMML text and TypeScript side by side) and the bench first checks that the
 *    two agree on every wine, so the comparison is of equal work;
 * 3. retained heap per loaded model, measured in a child process with --expose-gc, for the small
 *    regression and for the 10-tree wine random forest.
 */

export interface PmmlBenchOptions {
  /** Milliseconds spent per conformance case (after one warm-up pass). Default 150. */
  readonly caseMs?: number;
  /** Alternating engine/hand-written rounds per model. Default 9. */
  readonly rounds?: number;
  /** Milliseconds per round. Default 200. */
  readonly roundMs?: number;
  /** Models built per heap measurement (the per-model figure is the average). Default 20. */
  readonly heapCopies?: number;
  readonly shared?: string;
  readonly log?: (line: string) => void;
}

export interface TypeThroughput {
  readonly type: string;
  readonly cases: number;
  /** Median over the type's cases. */
  readonly recordsPerSecond: number;
}

export interface HandWrittenComparison {
  readonly model: string;
  readonly engine: number;
  readonly handWritten: number;
  /** engine / hand-written, in percent. */
  readonly ratio: number;
}

export interface HeapFigure {
  readonly model: string;
  readonly documentBytes: number;
  /** JavaScript heap retained per loaded model (compiled closures, typed arrays, kept element tree). */
  readonly heapBytes: number;
  /** ArrayBuffer memory per model (the document copy kept for checkpoints). */
  readonly bufferBytes: number;
}

export interface PmmlBenchReport {
  readonly perType: readonly TypeThroughput[];
  readonly perCase: readonly { id: string; type: string; recordsPerSecond: number; errors: number }[];
  readonly handWritten: readonly HandWrittenComparison[];
  readonly heap: readonly HeapFigure[];
}

// ---------------------------------------------------------------------------------------------------------
// Two models written for this bench, each as PMML and as a hand-written function computing the same result
// (predicted value plus the probability output fields, as a fresh result object per record like the engine).

const FA = 'fixed acidity';
const VA = 'volatile acidity';
const CA = 'citric acid';
const TSD = 'total sulfur dioxide';

const wineDictionary = (target: string) =>
  `<DataDictionary>${WINE_FIELDS.map((f) => `<DataField name="${f}" optype="continuous" dataType="double"/>`).join('')}${target}</DataDictionary>`;
const miningFields = (target: string, fields: readonly string[]) =>
  `<MiningSchema><MiningField name="${target}" usageType="target"/>${fields.map((f) => `<MiningField name="${f}"/>`).join('')}</MiningSchema>`;

/** Binary logistic regression: z = -10.5 + 0.9·alcohol - 3.2·VA + 2.1·sulphates - 0.012·TSD + 0.4·CA - 0.2·pH. */
export const LOGISTIC_PMML = `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
${wineDictionary('<DataField name="grade" optype="categorical" dataType="string"><Value value="good"/><Value value="bad"/></DataField>')}
<RegressionModel functionName="classification" normalizationMethod="logit">
${miningFields('grade', ['alcohol', VA, 'sulphates', TSD, CA, 'pH'])}
<Output>
  <OutputField name="P_good" optype="continuous" dataType="double" feature="probability" value="good"/>
  <OutputField name="P_bad" optype="continuous" dataType="double" feature="probability" value="bad"/>
</Output>
<RegressionTable targetCategory="good" intercept="-10.5">
  <NumericPredictor name="alcohol" coefficient="0.9"/>
  <NumericPredictor name="${VA}" coefficient="-3.2"/>
  <NumericPredictor name="sulphates" coefficient="2.1"/>
  <NumericPredictor name="${TSD}" coefficient="-0.012"/>
  <NumericPredictor name="${CA}" coefficient="0.4"/>
  <NumericPredictor name="pH" coefficient="-0.2"/>
</RegressionTable>
<RegressionTable targetCategory="bad" intercept="0"/>
</RegressionModel></PMML>`;

export interface HandResult {
  readonly value: FeatureValue;
  readonly outputs: Record<string, FeatureValue>;
  readonly confidence: number;
}

export function logisticByHand(r: Features): HandResult {
  const z =
    -10.5 +
    0.9 * (r['alcohol'] as number) -
    3.2 * (r[VA] as number) +
    2.1 * (r['sulphates'] as number) -
    0.012 * (r[TSD] as number) +
    0.4 * (r[CA] as number) -
    0.2 * (r['pH'] as number);
  const good = 1 / (1 + Math.exp(-z));
  const bad = 1 - good;
  const value = good >= bad ? 'good' : 'bad';
  return { value, outputs: { grade: value, P_good: good, P_bad: bad }, confidence: Math.max(good, bad) };
}

/** A depth-3 classification tree over alcohol, volatile acidity, sulphates and fixed acidity. */
const TREE_LEAVES = {
  a: ['5', 70, 25, 5],
  b: ['5', 55, 40, 5],
  c: ['6', 30, 55, 15],
  d: ['5', 50, 35, 15],
  e: ['6', 20, 60, 20],
  f: ['6', 25, 50, 25],
  g: ['7', 10, 40, 50],
  h: ['6', 15, 55, 30],
} as const satisfies Record<string, readonly [string, number, number, number]>;
type Leaf = keyof typeof TREE_LEAVES;

function leafXml(id: Leaf, predicate: string): string {
  const [score, n5, n6, n7] = TREE_LEAVES[id];
  return `<Node id="${id}" score="${score}">${predicate}<ScoreDistribution value="5" recordCount="${n5}"/><ScoreDistribution value="6" recordCount="${n6}"/><ScoreDistribution value="7" recordCount="${n7}"/></Node>`;
}
const le = (f: string, v: number) => `<SimplePredicate field="${f}" operator="lessOrEqual" value="${v}"/>`;
const gt = (f: string, v: number) => `<SimplePredicate field="${f}" operator="greaterThan" value="${v}"/>`;

export const TREE_PMML = `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4"><Header/>
${wineDictionary('<DataField name="quality" optype="categorical" dataType="string"><Value value="5"/><Value value="6"/><Value value="7"/></DataField>')}
<TreeModel functionName="classification">
${miningFields('quality', ['alcohol', VA, 'sulphates', FA])}
<Output>
  <OutputField name="P_5" optype="continuous" dataType="double" feature="probability" value="5"/>
  <OutputField name="P_6" optype="continuous" dataType="double" feature="probability" value="6"/>
  <OutputField name="P_7" optype="continuous" dataType="double" feature="probability" value="7"/>
</Output>
<Node id="root"><True/>
  <Node id="low">${le('alcohol', 10.5)}
    <Node id="low-va">${le(VA, 0.6)}${leafXml('a', le('sulphates', 0.6))}${leafXml('b', gt('sulphates', 0.6))}</Node>
    <Node id="high-va">${gt(VA, 0.6)}${leafXml('c', le(FA, 8))}${leafXml('d', gt(FA, 8))}</Node>
  </Node>
  <Node id="high">${gt('alcohol', 10.5)}
    <Node id="high-sul">${gt('sulphates', 0.65)}${leafXml('e', le(VA, 0.4))}${leafXml('f', gt(VA, 0.4))}</Node>
    <Node id="low-sul">${le('sulphates', 0.65)}${leafXml('g', le('alcohol', 12))}${leafXml('h', gt('alcohol', 12))}</Node>
  </Node>
</Node>
</TreeModel></PMML>`;

/**
 * Each leaf's result, computed once: what a careful engineer writes for a fixed tree (the engine too
 * precomputes its leaves' probabilities when it compiles the model). Frozen, so sharing one object per
 * leaf across records is safe.
 */
const LEAF_RESULTS: Readonly<Record<Leaf, HandResult>> = Object.fromEntries(
  (Object.keys(TREE_LEAVES) as Leaf[]).map((id) => {
    const [score, n5, n6, n7] = TREE_LEAVES[id];
    const total = n5 + n6 + n7;
    const p = { '5': n5 / total, '6': n6 / total, '7': n7 / total } as const;
    const result: HandResult = {
      value: score,
      outputs: Object.freeze({ quality: score, P_5: p['5'], P_6: p['6'], P_7: p['7'] }),
      confidence: p[score],
    };
    return [id, Object.freeze(result)];
  }),
) as Record<Leaf, HandResult>;

function leafResult(id: Leaf): HandResult {
  return LEAF_RESULTS[id];
}

export function treeByHand(r: Features): HandResult {
  const alcohol = r['alcohol'] as number;
  const va = r[VA] as number;
  const sulphates = r['sulphates'] as number;
  if (alcohol <= 10.5) {
    if (va <= 0.6) return leafResult(sulphates <= 0.6 ? 'a' : 'b');
    return leafResult((r[FA] as number) <= 8 ? 'c' : 'd');
  }
  if (sulphates > 0.65) return leafResult(va <= 0.4 ? 'e' : 'f');
  return leafResult(alcohol <= 12 ? 'g' : 'h');
}

// ---------------------------------------------------------------------------------------------------------

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Runs `score` over the records (cyclically) for about `ms` milliseconds; returns records/s. */
function rate(records: readonly Features[], ms: number, score: (r: Features) => unknown): number {
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

/** Checks that the engine and the hand-written function agree on every record before timing them. */
function checkAgreement(
  name: string,
  ev: PmmlEvaluator,
  hand: (r: Features) => HandResult,
  rows: readonly Features[],
) {
  for (const [i, row] of rows.entries()) {
    const e = ev.evaluate(row);
    const h = hand(row);
    const same =
      e.value === h.value &&
      Object.entries(h.outputs).every(([k, v]) => {
        const a = e.outputs[k];
        return typeof v === 'number' && typeof a === 'number' ? Math.abs(a - v) <= 1e-12 : a === v;
      });
    if (!same)
      throw new Error(
        `${name}: engine and hand-written disagree on row ${i + 1}: ${JSON.stringify(e.outputs)} vs ${JSON.stringify(h.outputs)}`,
      );
  }
}

function sideBySide(
  name: string,
  pmml: string,
  hand: (r: Features) => HandResult,
  rows: readonly Features[],
  rounds: number,
  roundMs: number,
): HandWrittenComparison {
  const ev = parsePmml(pmml);
  checkAgreement(name, ev, hand, rows);
  // Both sides keep their last results, as a caller that serializes them would: without this V8 may
  // inline the hand-written function and never allocate its result objects, which the engine must.
  const kept: unknown[] = new Array<unknown>(1024).fill(null);
  let k = 0;
  const engine = (r: Features) => {
    kept[k++ & 1023] = ev.evaluate(r);
  };
  const byHand = (r: Features) => {
    kept[k++ & 1023] = hand(r);
  };
  rate(rows, roundMs, engine);
  rate(rows, roundMs, byHand);
  const e: number[] = [];
  const h: number[] = [];
  for (let i = 0; i < rounds; i++) {
    e.push(rate(rows, roundMs, engine));
    h.push(rate(rows, roundMs, byHand));
  }
  if (kept[0] === 42) console.log(''); // keeps `kept` observable
  const engineRate = median(e);
  const handRate = median(h);
  return { model: name, engine: engineRate, handWritten: handRate, ratio: (100 * engineRate) / handRate };
}

function conformanceThroughput(shared: string, caseMs: number) {
  const base = join(shared, 'conformance', 'pmml');
  const perCase: { id: string; type: string; recordsPerSecond: number; errors: number }[] = [];
  for (const c of loadManifest(shared)) {
    const ev = parsePmml(readFileSync(join(base, c.pmml)));
    const rows = parseCsv(readFileSync(join(base, c.input), 'utf8'));
    const header = rows[0] ?? [];
    const records: Features[] = rows
      .slice(1)
      .map((line) =>
        Object.fromEntries(
          header.map((h, i) => [
            h,
            line[i] === undefined || line[i] === 'NA' || line[i] === '' ? null : line[i]!,
          ]),
        ),
      );
    if (records.length === 0) continue;
    let errors = 0;
    const score = (r: Features) => {
      try {
        ev.evaluate(r);
      } catch {
        errors++;
      }
    };
    for (const r of records) score(r); // warm-up
    errors = 0;
    const rps = rate(records, caseMs, score);
    const type =
      ev.modelElement === 'MiningModel' && c.algorithm ? `MiningModel (${c.algorithm})` : ev.modelElement;
    perCase.push({ id: c.id, type, recordsPerSecond: rps, errors });
  }
  const byType = new Map<string, number[]>();
  for (const p of perCase) byType.set(p.type, [...(byType.get(p.type) ?? []), p.recordsPerSecond]);
  const perType = [...byType.entries()]
    .map(([type, rates]) => ({ type, cases: rates.length, recordsPerSecond: median(rates) }))
    .sort((a, b) => b.recordsPerSecond - a.recordsPerSecond);
  return { perCase, perType };
}

/**
 * Heap retained per model: a fresh Node with --expose-gc builds `copies` models through PmmlModelFactory
 * (as the executor does) and keeps them; the growth after full GCs, divided by `copies`, is one model.
 */
export function heapPerModel(file: string, copies: number): { heapBytes: number; bufferBytes: number } {
  const pmmlMain = require.resolve('@modelserving/pmml');
  const script = `
    const { PmmlModelFactory } = require(${JSON.stringify(pmmlMain)});
    const bytes = require('node:fs').readFileSync(${JSON.stringify(file)});
    const factory = new PmmlModelFactory();
    factory.build(bytes); // load code and warm up before the baseline
    const settle = () => { for (let i = 0; i < 4; i++) gc(); return process.memoryUsage(); };
    const before = settle();
    const kept = [];
    for (let i = 0; i < ${copies}; i++) kept.push(factory.build(bytes));
    const after = settle();
    process.stdout.write(JSON.stringify({
      heap: (after.heapUsed - before.heapUsed) / kept.length,
      buffers: (after.arrayBuffers - before.arrayBuffers) / kept.length,
    }));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  const parsed = JSON.parse(out) as { heap: number; buffers: number };
  return { heapBytes: parsed.heap, bufferBytes: parsed.buffers };
}

export async function pmmlBench(opts: PmmlBenchOptions = {}): Promise<PmmlBenchReport> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const shared = opts.shared ?? sharedDir();
  const rounds = opts.rounds ?? 9;
  const roundMs = opts.roundMs ?? 200;

  log('\n## PMML engine');
  // The side-by-side comparison runs first, in a process that has loaded no other model yet; the
  // per-type figures below come after dozens of models have made the engine's shared call sites
  // polymorphic, as in an executor serving many models.
  const winePath = join(shared, 'fixtures', 'wine', 'winequality_red.csv');
  const handWritten: HandWrittenComparison[] = [];
  const heap: HeapFigure[] = [];
  if (existsSync(winePath)) {
    const rows: Features[] = readWineCsv(winePath).map((w: WineRow) => ({ ...w.features }));
    log(
      `\nengine vs hand-written TypeScript of the same model (${rows.length} wines, median of ${rounds} alternating rounds):`,
    );
    for (const [name, pmml, hand] of [
      ['logistic regression (6 inputs)', LOGISTIC_PMML, logisticByHand],
      ['single tree (depth 3, 8 leaves)', TREE_PMML, treeByHand],
    ] as const) {
      const c = sideBySide(name, pmml, hand, rows, rounds, roundMs);
      handWritten.push(c);
      log(
        `  ${name.padEnd(34)} engine ${fmt(c.engine, 0).padStart(10)}/s  hand-written ${fmt(c.handWritten, 0).padStart(10)}/s  engine = ${fmt(c.ratio, 1)} % (target ≥ 50 %)`,
      );
    }

    const dir = mkdtempSync(join(tmpdir(), 'pmml-bench-'));
    try {
      const small = join(dir, 'logistic.pmml');
      writeFileSync(small, LOGISTIC_PMML);
      const forest = join(shared, 'fixtures', 'wine', 'pmml', 'winequalityRandonForrestClassification.pmml');
      log(
        `\nretained memory per loaded model (PmmlModelFactory.build, ${opts.heapCopies ?? 20} copies, after full GC):`,
      );
      for (const [name, file] of [
        ['small regression (logistic, 6 inputs)', small],
        ['wine random forest (10 trees)', forest],
      ] as const) {
        const m = heapPerModel(file, opts.heapCopies ?? 20);
        const documentBytes = readFileSync(file).byteLength;
        heap.push({ model: name, documentBytes, ...m });
        log(
          `  ${name.padEnd(38)} heap ${fmt(m.heapBytes / 1024, 1).padStart(8)} KiB  + document copy ${fmt(m.bufferBytes / 1024, 1).padStart(7)} KiB  (document ${fmt(documentBytes / 1024, 1)} KiB)`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    log(`(no wine data at ${winePath}; skipping hand-written comparison and memory)`);
  }
  let perType: TypeThroughput[] = [];
  let perCase: PmmlBenchReport['perCase'] = [];
  if (existsSync(join(shared, 'conformance', 'pmml', 'MANIFEST.json'))) {
    ({ perType, perCase } = conformanceThroughput(shared, opts.caseMs ?? 150));
    log(`\nrecords/s per model type (median over the conformance cases of each type, evaluate only):`);
    for (const t of perType)
      log(
        `  ${t.type.padEnd(44)} ${fmt(t.recordsPerSecond, 0).padStart(10)} records/s  (${t.cases} case${t.cases > 1 ? 's' : ''})`,
      );
  } else {
    log(`(no conformance data under ${shared}; skipping records/s per model type)`);
  }

  return { perType, perCase, handWritten, heap };
}
