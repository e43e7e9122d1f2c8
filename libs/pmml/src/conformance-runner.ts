import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '@modelserving/csv';
import type { FeatureValue } from '@modelserving/model-core';
import { parsePmml } from './evaluator';

/**
 * Runs the PMML conformance suite described by <shared>/conformance/pmml/MANIFEST.json: every case is a
 * model, an input CSV and the expected results (produced by JPMML) with a numeric tolerance. Used by the
 * conformance spec; also handy from a REPL when working on a model type.
 */

export interface ConformanceTolerance {
  readonly precision?: number;
  readonly zeroThreshold?: number;
  readonly floatUlps?: number;
}

export interface ConformanceCase {
  readonly id: string;
  readonly pmml: string;
  readonly input: string;
  readonly expected: string;
  readonly tolerance: ConformanceTolerance;
  readonly excludeColumns?: readonly string[];
  readonly note?: string;
  /** The producer's algorithm name (e.g. RandomForest), for reports. */
  readonly algorithm?: string;
}

/** The first cell where actual and expected disagree (row is 1-based, counting records, not the header). */
export interface ConformanceMismatch {
  readonly row: number;
  /** Undefined when the whole record failed to score (see `error`). */
  readonly column?: string;
  readonly expected?: string;
  readonly actual?: FeatureValue;
  readonly error?: string;
}

export interface ConformanceCaseResult {
  readonly id: string;
  readonly passed: boolean;
  readonly rows: number;
  readonly mismatches: number;
  readonly columns: readonly string[];
  /** Why the case failed: build error, missing column, or the first mismatching cell. */
  readonly detail?: string;
  readonly firstMismatch?: ConformanceMismatch;
}

export interface ConformanceReport {
  readonly total: number;
  readonly passed: number;
  readonly results: readonly ConformanceCaseResult[];
}

/** The suite's CSVs: comma-separated, RFC 4180 quoting (the project's one CSV reader). */
function readCsv(path: string): string[][] {
  return parseCsv(readFileSync(path, 'utf8'));
}

function isNA(s: string | undefined): boolean {
  return s === undefined || s === '' || s === 'NA' || s === 'N/A';
}

function float32Ulp(x: number): number {
  const f = Math.abs(Math.fround(x));
  if (f === 0) return Math.pow(2, -149);
  const e = Math.floor(Math.log2(f));
  return Math.pow(2, Math.max(e, -126) - 23);
}

/** Compares one cell following the manifest's rule; returns undefined when equal, else a description. */
export function compareCell(
  expected: string | undefined,
  actual: FeatureValue | undefined,
  tol: ConformanceTolerance,
): string | undefined {
  if (isNA(expected))
    return actual === null || actual === undefined ? undefined : `expected missing, got ${String(actual)}`;
  if (actual === null || actual === undefined) return `expected ${expected}, got missing`;
  const exp = expected!;
  if (typeof actual === 'number') {
    const e = Number(exp);
    if (Number.isNaN(e)) return `expected ${exp}, got ${actual}`;
    if (tol.floatUlps !== undefined) {
      const a32 = Math.fround(actual);
      const e32 = Math.fround(e);
      return Math.abs(a32 - e32) <= tol.floatUlps * float32Ulp(e32)
        ? undefined
        : `expected ${exp}, got ${actual} (> ${tol.floatUlps} float ulps)`;
    }
    const precision = tol.precision ?? 1e-13;
    const zero = tol.zeroThreshold ?? precision;
    if (Math.abs(e) <= zero && Math.abs(actual) <= zero) return undefined;
    let lo = e * (1 - precision);
    let hi = e * (1 + precision);
    if (lo > hi) [lo, hi] = [hi, lo];
    return actual >= lo && actual <= hi ? undefined : `expected ${exp}, got ${actual}`;
  }
  if (typeof actual === 'boolean') {
    const e = exp.trim().toLowerCase();
    return (e === 'true') === actual && (e === 'true' || e === 'false')
      ? undefined
      : `expected ${exp}, got ${actual}`;
  }
  return actual === exp ? undefined : `expected '${exp}', got '${actual}'`;
}

/**
 * CSV rows as records. With a group field (AssociationModel transactions), consecutive rows sharing the
 * group value — in order of first appearance — become one record whose other columns hold arrays.
 */
function toRecords(
  header: readonly string[],
  lines: readonly string[][],
  groupField: string | undefined,
): Record<string, FeatureValue>[] {
  const cell = (line: readonly string[], i: number): FeatureValue => (isNA(line[i]) ? null : line[i]!);
  if (groupField === undefined || !header.includes(groupField)) {
    return lines.map((line) => Object.fromEntries(header.map((h, i) => [h, cell(line, i)])));
  }
  const g = header.indexOf(groupField);
  const groups = new Map<string, Record<string, unknown>>();
  for (const line of lines) {
    const key = line[g] ?? '';
    let rec = groups.get(key);
    if (!rec) {
      rec = { [groupField]: key };
      for (const h of header) if (h !== groupField) rec[h] = [];
      groups.set(key, rec);
    }
    header.forEach((h, i) => {
      const v = cell(line, i);
      if (h !== groupField && v !== null) (rec![h] as FeatureValue[]).push(v);
    });
  }
  // Arrays are outside FeatureValue's type but are how a basket reaches an AssociationModel.
  return [...groups.values()] as Record<string, FeatureValue>[];
}

export function loadManifest(sharedDir: string): ConformanceCase[] {
  const manifest = JSON.parse(
    readFileSync(join(sharedDir, 'conformance', 'pmml', 'MANIFEST.json'), 'utf8'),
  ) as {
    cases: ConformanceCase[];
  };
  return manifest.cases;
}

export function runConformanceCase(sharedDir: string, c: ConformanceCase): ConformanceCaseResult {
  const base = join(sharedDir, 'conformance', 'pmml');
  let evaluator;
  try {
    evaluator = parsePmml(readFileSync(join(base, c.pmml)));
  } catch (err) {
    return {
      id: c.id,
      passed: false,
      rows: 0,
      mismatches: 0,
      columns: [],
      detail: `build failed: ${(err as Error).message}`,
    };
  }
  const input = readCsv(join(base, c.input));
  const expected = readCsv(join(base, c.expected));
  const inHeader = input[0] ?? [];
  const expHeader = expected[0] ?? [];
  const exclude = new Set(c.excludeColumns ?? []);
  const columns = evaluator.resultColumns().filter((col) => !exclude.has(col));
  for (const col of columns) {
    if (!expHeader.includes(col)) {
      return {
        id: c.id,
        passed: false,
        rows: 0,
        mismatches: 0,
        columns,
        detail: `result column '${col}' is not in the expected CSV`,
      };
    }
  }
  const expIndex = columns.map((col) => expHeader.indexOf(col));
  const records = toRecords(inHeader, input.slice(1), evaluator.groupField);
  const rows = records.length;
  if (rows !== expected.length - 1) {
    return {
      id: c.id,
      passed: false,
      rows,
      mismatches: 0,
      columns,
      detail: `input has ${rows} records but expected has ${expected.length - 1} rows`,
    };
  }
  let mismatches = 0;
  let detail: string | undefined;
  let firstMismatch: ConformanceMismatch | undefined;
  for (let r = 1; r <= rows; r++) {
    const features = records[r - 1]!;
    let outputs: Readonly<Record<string, FeatureValue>>;
    try {
      outputs = evaluator.evaluate(features).outputs;
    } catch (err) {
      mismatches++;
      detail ??= `row ${r}: ${(err as Error).message}`;
      firstMismatch ??= { row: r, error: (err as Error).message };
      continue;
    }
    for (let j = 0; j < columns.length; j++) {
      const exp = expected[r]![expIndex[j]!];
      const act = outputs[columns[j]!];
      const diff = compareCell(exp, act, c.tolerance);
      if (diff) {
        mismatches++;
        detail ??= `row ${r}, column '${columns[j]}': ${diff}`;
        firstMismatch ??= { row: r, column: columns[j]!, expected: exp ?? 'NA', actual: act ?? null };
        break;
      }
    }
  }
  return {
    id: c.id,
    passed: mismatches === 0 && rows > 0,
    rows,
    mismatches,
    columns,
    ...(detail ? { detail } : {}),
    ...(firstMismatch ? { firstMismatch } : {}),
  };
}

/** Runs every case (or those `filter` keeps) and reports per-case pass/fail. */
export function runConformance(sharedDir: string, filter?: (id: string) => boolean): ConformanceReport {
  const cases = loadManifest(sharedDir).filter((c) => !filter || filter(c.id));
  const results = cases.map((c) => runConformanceCase(sharedDir, c));
  return { total: results.length, passed: results.filter((r) => r.passed).length, results };
}
