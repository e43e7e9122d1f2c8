import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasShared, sharedDir } from '@modelserving/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceMain } from './run-conformance';

function capture(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = conformanceMain(argv, { out: (l) => void out.push(l), err: (l) => void err.push(l) });
  return { code, out, err };
}

// Trial files written for these specs, in the shape of ../shared/conformance/pfa.
const GOOD = {
  'pfa-tests': [
    {
      function: '+',
      engine: { input: 'double', output: 'double', action: { '+': ['input', 1] } },
      trials: [
        { sample: 1, result: 2 },
        { sample: 2, result: 3.01 }, // within the reference runner's 1% relative difference
      ],
    },
    {
      function: 'm.sqrt',
      engine: { input: 'double', output: 'double', action: { 'm.sqrt': ['input'] } },
      trials: [{ sample: 4, result: 2 }],
    },
  ],
};
const BAD = {
  'pfa-tests': [
    {
      function: '//',
      engine: { input: 'int', output: 'int', action: { '//': [1, 'input'] } },
      trials: [
        { sample: 0, error: 18040 },
        { sample: 0, error: 18041 }, // the wrong code: an error trial needs the exact one
      ],
    },
  ],
};

describe('PFA conformance runner on trial files of its own', () => {
  let shared: string;
  beforeAll(() => {
    shared = mkdtempSync(join(tmpdir(), 'conformance-pfa-'));
    const pfa = join(shared, 'conformance', 'pfa');
    mkdirSync(pfa, { recursive: true });
    writeFileSync(join(pfa, 'a-good.json'), JSON.stringify(GOOD));
    writeFileSync(join(pfa, 'b-bad.json'), JSON.stringify(BAD));
    writeFileSync(join(pfa, 'notes.txt'), 'not a trial file');
  });
  afterAll(() => rmSync(shared, { recursive: true, force: true }));

  it('prints pass/fail per function, per-file and overall totals, and exits 1 on a failure', () => {
    const r = capture(['pfa', '--shared', shared]);
    expect(r.code).toBe(1);
    expect(r.out[0]).toBe('PASS  a-good.json  +: 2/2 trials');
    expect(r.out[1]).toBe('PASS  a-good.json  m.sqrt: 1/1 trials');
    expect(r.out[2]).toBe('a-good.json: 3/3 trials pass (0 fail), 2 functions');
    expect(r.out[3]).toMatch(
      /^FAIL {2}b-bad\.json {2}\/\/: 1\/2 trials; test 0 trial 1: sample 0, expected \{"error":18041\}, got \{"error":18040,/,
    );
    expect(r.out[4]).toBe('b-bad.json: 1/2 trials pass (1 fail), 1 functions');
    expect(r.out[5]).toMatch(/^PFA: 4\/5 trials pass \(1 fail\), 3 functions, in \d+\.\d s$/);
  });

  it('exits 0 when the selected functions pass; --failures hides passing lines', () => {
    const r = capture(['pfa', '--shared', shared, '--only', 'sqrt', '--failures']);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      'a-good.json: 1/1 trials pass (0 fail), 1 functions',
      'b-bad.json: 0/0 trials pass (0 fail), 0 functions',
      expect.stringMatching(/^PFA: 1\/1 trials pass \(0 fail\), 1 functions/),
    ]);
  });

  it('fails a file that is not a trial file, and a directory with none', () => {
    const pfa = join(shared, 'conformance', 'pfa');
    writeFileSync(join(pfa, 'c-broken.json'), '{"pfa-tests": ');
    try {
      const r = capture(['pfa', '--shared', shared, '--only', 'sqrt']);
      expect(r.code).toBe(1);
      expect(r.out).toContainEqual(expect.stringMatching(/^FAIL {2}c-broken\.json: cannot run the file: /));
    } finally {
      rmSync(join(pfa, 'c-broken.json'));
    }
    const none = capture(['pfa', '--shared', join(shared, 'nowhere')]);
    expect(none.code).toBe(1);
    expect(none.err[0]).toMatch(/^error: no PFA trial files \(\*\.json\) in /);
  });

  it('runs both suites by default, and fails when one of them has no data', () => {
    // This directory has PFA trials but no PMML manifest: the PFA lines still print, the run fails.
    const r = capture(['--shared', shared, '--only', 'sqrt']);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/^error: no conformance manifest at /);
    expect(r.out.at(-1)).toMatch(/^PFA: 1\/1 trials pass/);
  });
});

const available = hasShared('conformance', 'pfa');
if (!available)
  describe('PFA conformance trials (shared data)', () => {
    it.skip(`skipped: no ${sharedDir()}/conformance/pfa (set MODELSERVING_SHARED)`, () => {});
  });

describe.skipIf(!available)('PFA conformance trials (shared data)', () => {
  it('passes every trial of every file', () => {
    const r = capture(['pfa']);
    console.log(r.out.filter((l) => !l.startsWith('PASS')).join('\n'));
    expect(r.out.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.find((l) => l.startsWith('PFA: '))).toMatch(/^PFA: (\d+)\/\1 trials pass/);
  }, 120_000);
});
