import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  loadManifest,
  runConformanceCase,
  type ConformanceCase,
  type ConformanceCaseResult,
} from '@modelserving/pmml';
import { sharedDir } from '@modelserving/testing';
import { pfaDir, pfaFileLine, pfaFunctionLine, pfaTrialFiles, runPfaSuite } from './pfa-conformance';

/**
 * The conformance runner behind `node tools/conformance/dist/main.js`: PMML here, PFA in pfa-conformance.ts.
 * The PMML scoring and the manifest's comparison rules live in libs/pmml (`runConformanceCase`, `compareCell`), shared with the library's own
 * spec, so this tool and the tests can never disagree about what "passes" means; this file selects cases,
 * prints one line per case and decides the exit code.
 */

export interface ConformanceIo {
  out(line: string): void;
  err(line: string): void;
}

export interface ConformanceRun {
  readonly total: number;
  readonly passed: number;
  readonly results: readonly ConformanceCaseResult[];
}

const show = (v: unknown) =>
  v === null || v === undefined ? 'NA' : typeof v === 'string' ? `'${v}'` : String(v);

/** One line per case: `PASS id (n rows)` or `FAIL id: row r, column 'c': expected x, actual y (k of n rows differ)`. */
export function caseLine(r: ConformanceCaseResult): string {
  if (r.passed) return `PASS  ${r.id} (${r.rows} rows, ${r.columns.length} columns)`;
  const m = r.firstMismatch;
  let why: string;
  if (m?.column !== undefined) {
    why = `row ${m.row}, column '${m.column}': expected ${show(m.expected)}, actual ${show(m.actual)}`;
  } else if (m?.error !== undefined) {
    why = `row ${m.row}: scoring failed: ${m.error}`;
  } else {
    why = r.detail ?? (r.rows === 0 ? 'no rows' : 'failed');
  }
  const count = r.mismatches > 0 ? ` (${r.mismatches} of ${r.rows} rows differ)` : '';
  return `FAIL  ${r.id}: ${why}${count}`;
}

/** Runs the cases whose id contains one of `only` (all when empty); a case that throws is a failure, not a crash. */
export function runSuite(shared: string, only: readonly string[] = []): ConformanceRun {
  const cases = loadManifest(shared).filter((c) => only.length === 0 || only.some((o) => c.id.includes(o)));
  const results = cases.map((c) => safeCase(shared, c));
  return { total: results.length, passed: results.filter((r) => r.passed).length, results };
}

function safeCase(shared: string, c: ConformanceCase): ConformanceCaseResult {
  try {
    return runConformanceCase(shared, c);
  } catch (err) {
    return {
      id: c.id,
      passed: false,
      rows: 0,
      mismatches: 0,
      columns: [],
      detail: `cannot run the case: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

const USAGE = `usage: node tools/conformance/dist/main.js [pmml] [pfa] [--shared DIR] [--only TEXT]... [--failures]

Runs the conformance suites in the shared directory (both when no suite is named):
  pmml  <shared>/conformance/pmml/MANIFEST.json: scores each case's input CSV with @modelserving/pmml and
        compares it with the expected CSV under the manifest's rules (one line per case);
  pfa   every *.json trial file in <shared>/conformance/pfa through @modelserving/pfa (one line per library
        function, then per-file totals).
Exit 0 when everything run passes, 1 otherwise (or when a named suite's data is absent), 2 on usage errors.

  --shared DIR   the shared data directory (default: MODELSERVING_SHARED or ../shared beside the checkout)
  --only TEXT    run only PMML cases whose id, or PFA functions whose name, contains TEXT (repeatable)
  --failures     print only failing cases/functions (and the totals)
`;

const SUITES = ['pmml', 'pfa'] as const;
type Suite = (typeof SUITES)[number];

/** The command: returns the exit code. */
export function conformanceMain(argv: readonly string[], io: ConformanceIo): number {
  let values: { shared?: string; only?: string[]; failures?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        shared: { type: 'string' },
        only: { type: 'string', multiple: true },
        failures: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
    const bad = positionals.find((p) => !(SUITES as readonly string[]).includes(p));
    if (bad !== undefined) throw new Error(`unknown suite '${bad}' (expected ${SUITES.join(' or ')})`);
  } catch (err) {
    io.err(`error: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const suites = positionals.length === 0 ? SUITES : SUITES.filter((s) => positionals.includes(s));
  const shared = values.shared ?? sharedDir();
  const opts = { shared, only: values.only ?? [], failures: values.failures === true };
  // Every named suite runs even after one fails, so a single run reports both; the worst code wins.
  return Math.max(...suites.map((s: Suite) => (s === 'pmml' ? pmmlMain(opts, io) : pfaMain(opts, io))));
}

interface SuiteOptions {
  readonly shared: string;
  readonly only: readonly string[];
  readonly failures: boolean;
}

function pmmlMain({ shared, only, failures }: SuiteOptions, io: ConformanceIo): number {
  const manifest = join(shared, 'conformance', 'pmml', 'MANIFEST.json');
  if (!existsSync(manifest)) {
    io.err(`error: no conformance manifest at ${manifest} (pass --shared DIR or set MODELSERVING_SHARED)`);
    return 1;
  }
  const t0 = performance.now();
  const run = runSuite(shared, only);
  for (const r of run.results) if (!r.passed || !failures) io.out(caseLine(r));
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  io.out(`${run.passed}/${run.total} cases pass (${run.total - run.passed} fail) in ${seconds} s`);
  if (run.total === 0) {
    io.err('error: no case matched');
    return 1;
  }
  return run.passed === run.total ? 0 : 1;
}

function pfaMain({ shared, only, failures }: SuiteOptions, io: ConformanceIo): number {
  const dir = pfaDir(shared);
  if (pfaTrialFiles(dir).length === 0) {
    io.err(`error: no PFA trial files (*.json) in ${dir} (pass --shared DIR or set MODELSERVING_SHARED)`);
    return 1;
  }
  const t0 = performance.now();
  const run = runPfaSuite(shared, only);
  for (const file of run.files) {
    for (const fn of file.functions) if (fn.passed < fn.total || !failures) io.out(pfaFunctionLine(fn));
    io.out(pfaFileLine(file));
  }
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const functions = run.files.reduce((s, f) => s + f.functions.length, 0);
  io.out(
    `PFA: ${run.passed}/${run.total} trials pass (${run.total - run.passed} fail), ${functions} functions, in ${seconds} s`,
  );
  if (run.coverage)
    io.out(
      `PFA library: ${run.coverage.implemented}/${run.coverage.total} functions of libfcns.xml implemented`,
    );
  if (run.files.some((f) => f.error !== undefined)) return 1;
  if (run.total === 0) {
    io.err('error: no PFA function matched');
    return 1;
  }
  return run.passed === run.total ? 0 : 1;
}
