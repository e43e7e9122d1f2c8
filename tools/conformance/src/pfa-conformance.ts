import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  libraryCoverage,
  runConformance,
  type ConformanceFailure,
  type ConformanceReport,
} from '@modelserving/pfa';

/**
 * The PFA half of the conformance tool: every `*.json` trial file in `<shared>/conformance/pfa` is run through
 * libs/pfa's `runConformance`, which owns the reference runner's comparison rules (|x| < 1e-8 is zero,
 * relative difference 0.01, error trials need the exact code), so this tool and the library's spec cannot
 * disagree about what passes. This file groups the results per library function and prints them.
 */

export interface PfaFunctionResult {
  readonly file: string;
  readonly function: string;
  readonly total: number;
  readonly passed: number;
  /** The first failing trial, for the FAIL line. */
  readonly firstFailure?: ConformanceFailure;
}

export interface PfaFileResult {
  readonly file: string;
  readonly total: number;
  readonly passed: number;
  readonly functions: readonly PfaFunctionResult[];
  /** Set when the file could not be read or parsed: the whole file counts as failed. */
  readonly error?: string;
}

export interface PfaRun {
  readonly total: number;
  readonly passed: number;
  readonly files: readonly PfaFileResult[];
  /** Library functions implemented against libfcns.xml, when the specification is in the directory. */
  readonly coverage?: { implemented: number; total: number };
}

export function pfaDir(shared: string): string {
  return join(shared, 'conformance', 'pfa');
}

/** The trial files of a PFA conformance directory, sorted so runs print in a stable order. */
export function pfaTrialFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** Runs every trial file; `only` keeps functions whose name contains one of the texts (all when empty). */
export function runPfaSuite(shared: string, only: readonly string[] = []): PfaRun {
  const dir = pfaDir(shared);
  const files = pfaTrialFiles(dir).map((f) => runFile(join(dir, f), f, only));
  const xml = join(dir, 'libfcns.xml');
  const coverage = existsSync(xml) ? libraryCoverage(readFileSync(xml, 'utf8')) : undefined;
  return {
    total: files.reduce((s, f) => s + f.total, 0),
    passed: files.reduce((s, f) => s + f.passed, 0),
    files,
    ...(coverage ? { coverage: { implemented: coverage.implemented, total: coverage.total } } : {}),
  };
}

interface TrialFile {
  'pfa-tests': { function: string }[];
}

function runFile(path: string, file: string, only: readonly string[]): PfaFileResult {
  let report: ConformanceReport;
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as TrialFile;
    if (!Array.isArray(data['pfa-tests'])) throw new Error('no "pfa-tests" array');
    const tests = data['pfa-tests'].filter(
      (t) => only.length === 0 || only.some((o) => t.function.includes(o)),
    );
    // Every failure is kept (not the library's default 20) so each function's line can show its first one.
    report = runConformance({ 'pfa-tests': tests }, { maxFailures: Number.POSITIVE_INFINITY });
  } catch (err) {
    return {
      file,
      total: 0,
      passed: 0,
      functions: [],
      error: err instanceof Error ? err.message : String(err),
    };
  }
  const functions = Object.entries(report.byFunction).map(([fn, s]): PfaFunctionResult => {
    const firstFailure = report.failures.find((f) => f.function === fn);
    return {
      file,
      function: fn,
      total: s.total,
      passed: s.passed,
      ...(firstFailure ? { firstFailure } : {}),
    };
  });
  return { file, total: report.total, passed: report.passed, functions };
}

const brief = (v: unknown): string => {
  const text =
    JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `bytes(${x.length})` : x)) ?? String(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

/** `PASS  file  fn: n/n trials` or `FAIL  file  fn: k/n trials; trial t: sample …, expected …, got …`. */
export function pfaFunctionLine(r: PfaFunctionResult): string {
  const head = `${r.file}  ${r.function}: ${r.passed}/${r.total} trials`;
  if (r.passed === r.total) return `PASS  ${head}`;
  const f = r.firstFailure;
  const why = f
    ? `; test ${f.test} trial ${f.trial}: sample ${brief(f.sample)}, expected ${brief(f.expected)}, got ${brief(f.got)}`
    : '';
  return `FAIL  ${head}${why}`;
}

export function pfaFileLine(r: PfaFileResult): string {
  if (r.error !== undefined) return `FAIL  ${r.file}: cannot run the file: ${r.error}`;
  return `${r.file}: ${r.passed}/${r.total} trials pass (${r.total - r.passed} fail), ${r.functions.length} functions`;
}
