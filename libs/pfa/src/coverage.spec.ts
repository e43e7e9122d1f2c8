import { readFileSync } from 'node:fs';
import { hasShared, sharedPath } from '@modelserving/testing';
import { describe, expect, it } from 'vitest';
import { libraryCoverage } from './coverage';
import { runConformance } from './conformance';

const XML = ['conformance', 'pfa', 'libfcns.xml'];

describe.skipIf(!hasShared(...XML))('library coverage against libfcns.xml', () => {
  it('implements at least the functions counted so far, and nothing outside the spec', () => {
    const c = libraryCoverage(readFileSync(sharedPath(...XML), 'utf8'));
    console.log(`[pfa library] ${c.implemented}/${c.total} functions implemented`);
    expect(c.total).toBe(449);
    expect(c.extra).toEqual([]);
    expect(c.implemented).toBeGreaterThanOrEqual(COVERAGE_FLOOR);
  });
});

/** Raise when functions are added. */
const COVERAGE_FLOOR = 449;

describe('conformance runner', () => {
  const file = {
    'pfa-tests': [
      {
        function: '+',
        engine: { input: 'double', output: 'double', action: { '+': ['input', 1] } },
        trials: [
          { sample: 1, result: 2.01 }, // within 1% relative difference
          { sample: 1, result: 2.5 }, // wrong
          { sample: 1e-10, result: 1.0 },
          { sample: -1, result: 1e-9 }, // both below 1e-8: zero
        ],
      },
      {
        function: '//',
        engine: { input: 'int', output: 'int', action: { '//': [1, 'input'] } },
        trials: [
          { sample: 0, error: 18040 },
          { sample: 0, error: 18041 }, // wrong code
          { sample: 1, error: 18040 }, // no error raised
        ],
      },
    ],
  };
  it('compares numbers with the reference tolerance and error codes exactly', () => {
    const r = runConformance(file);
    expect(r.total).toBe(7);
    expect(r.passed).toBe(4);
    expect(r.failures.map((f) => [f.test, f.trial])).toEqual([
      [0, 1],
      [1, 1],
      [1, 2],
    ]);
  });
});
