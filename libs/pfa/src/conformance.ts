import { PfaEngine } from './compiler/engine';
import { PfaRuntimeError, PfaUserError } from './errors';
import { fromAvroJson } from './json/avro-json';
import type { Value } from './values';

/**
 * Runs PFA conformance files (`{"pfa-tests": [{function, engine, trials: [{sample, result | error}]}]}`):
 * each engine is built once, each trial's sample is decoded from Avro JSON (bytes in base64), scored, and
 * the result compared as the reference runner does. An error trial passes only with the exact code.
 */
export interface ConformanceFailure {
  readonly function: string;
  readonly test: number;
  readonly trial: number;
  readonly sample: unknown;
  readonly expected: unknown;
  readonly got: unknown;
}

export interface ConformanceReport {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  /** Passes per library function named by the tests. */
  readonly byFunction: Readonly<Record<string, { total: number; passed: number }>>;
  /** The first `maxFailures` failures, for diagnosis. */
  readonly failures: readonly ConformanceFailure[];
}

interface TestFile {
  'pfa-tests': {
    function: string;
    engine: unknown;
    trials: { sample: unknown; result?: unknown; error?: number }[];
  }[];
}

/** Numbers as the reference runner compares them: |x| < 1e-8 is zero, else relative difference ≤ 0.01. */
export function numbersClose(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const za = Math.abs(a) < 1e-8;
  const zb = Math.abs(b) < 1e-8;
  if (za || zb) return za && zb;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)) <= 0.01;
}

export function valuesClose(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') return numbersClose(a, b);
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => valuesClose(x, b[i]!));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.prototype.hasOwnProperty.call(b, k) &&
      valuesClose((a as Record<string, Value>)[k]!, (b as Record<string, Value>)[k]!),
  );
}

export function runConformance(
  file: string | object,
  options: { maxFailures?: number; budget?: number } = {},
): ConformanceReport {
  const data = (typeof file === 'string' ? JSON.parse(file) : file) as TestFile;
  const maxFailures = options.maxFailures ?? 20;
  const failures: ConformanceFailure[] = [];
  const byFunction: Record<string, { total: number; passed: number }> = {};
  let total = 0;
  let passed = 0;
  data['pfa-tests'].forEach((test, ti) => {
    const stats = (byFunction[test.function] ??= { total: 0, passed: 0 });
    let engine: PfaEngine | undefined;
    let buildError: unknown;
    try {
      engine = PfaEngine.fromDocument(JSON.stringify(test.engine), { budget: options.budget ?? 100_000 });
    } catch (err) {
      buildError = err;
    }
    test.trials.forEach((trial, i) => {
      total++;
      stats.total++;
      let ok = false;
      let got: unknown;
      if (!engine) {
        got = `build failed: ${(buildError as Error).message}`;
      } else {
        try {
          const input = fromAvroJson(engine.inputType, trial.sample, 'base64');
          const out = engine.action(input);
          got = out;
          if (trial.error === undefined)
            ok = valuesClose(out, fromAvroJson(engine.outputType, trial.result, 'base64'));
        } catch (err) {
          const code = err instanceof PfaRuntimeError || err instanceof PfaUserError ? err.code : undefined;
          got = { error: code, message: (err as Error).message };
          ok = trial.error !== undefined && code === trial.error;
        }
      }
      if (ok) {
        passed++;
        stats.passed++;
      } else if (failures.length < maxFailures) {
        failures.push({
          function: test.function,
          test: ti,
          trial: i,
          sample: trial.sample,
          expected: trial.error !== undefined ? { error: trial.error } : trial.result,
          got,
        });
      }
    });
  });
  return { total, passed, failed: total - passed, byFunction, failures };
}
