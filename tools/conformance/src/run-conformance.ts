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

/**
 * The PMML conformance runner behind `node tools/conformance/dist/main.js`. The scoring and the manifest's
 * comparison rules live in libs/pmml (`runConformanceCase`, `compareCell`), shared with the library's own
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

const USAGE = `usage: node tools/conformance/dist/main.js [--shared DIR] [--only TEXT]... [--failures]

Runs <shared>/conformance/pmml/MANIFEST.json: scores each case's input CSV with @modelserving/pmml and compares
it with the expected CSV under the manifest's rules. Exit 0 when every case passes, 1 otherwise, 2 on usage errors.

  --shared DIR   the shared data directory (default: MODELSERVING_SHARED or ../shared beside the checkout)
  --only TEXT    run only cases whose id contains TEXT (repeatable)
  --failures     print only failing cases (and the total)
`;

/** The command: returns the exit code. */
export function conformanceMain(argv: readonly string[], io: ConformanceIo): number {
  let values: { shared?: string; only?: string[]; failures?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        shared: { type: 'string' },
        only: { type: 'string', multiple: true },
        failures: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.err(`error: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const shared = values.shared ?? sharedDir();
  const manifest = join(shared, 'conformance', 'pmml', 'MANIFEST.json');
  if (!existsSync(manifest)) {
    io.err(`error: no conformance manifest at ${manifest} (pass --shared DIR or set MODELSERVING_SHARED)`);
    return 1;
  }
  const t0 = performance.now();
  const run = runSuite(shared, values.only ?? []);
  for (const r of run.results) if (!r.passed || !values.failures) io.out(caseLine(r));
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  io.out(`${run.passed}/${run.total} cases pass (${run.total - run.passed} fail) in ${seconds} s`);
  if (run.total === 0) {
    io.err('error: no case matched');
    return 1;
  }
  return run.passed === run.total ? 0 : 1;
}
