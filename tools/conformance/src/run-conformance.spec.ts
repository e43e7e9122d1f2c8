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

// y = 2·x + 1, written for these specs.
const LINEAR = `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <Header/>
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression">
    <MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x"/></MiningSchema>
    <RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable>
  </RegressionModel>
</PMML>`;

describe('conformance runner on a manifest of its own', () => {
  let shared: string;
  beforeAll(() => {
    shared = mkdtempSync(join(tmpdir(), 'conformance-'));
    const base = join(shared, 'conformance', 'pmml');
    mkdirSync(base, { recursive: true });
    writeFileSync(join(base, 'linear.pmml'), LINEAR);
    writeFileSync(join(base, 'in.csv'), 'x\n1\n2\n\n3\n');
    writeFileSync(join(base, 'good.csv'), 'y\n3\n5.0000000000001\n7\n');
    writeFileSync(join(base, 'bad.csv'), 'y\n3\n5.1\n7\n');
    writeFileSync(join(base, 'other-column.csv'), 'z\n3\n5\n7\n');
    const c = (
      id: string,
      expected: string,
      tolerance: object = { precision: 1e-13, zeroThreshold: 1e-13 },
    ) => ({
      id,
      pmml: 'linear.pmml',
      input: 'in.csv',
      expected,
      tolerance,
    });
    writeFileSync(
      join(base, 'MANIFEST.json'),
      JSON.stringify({
        cases: [
          c('good', 'good.csv'),
          c('bad', 'bad.csv'),
          c('loose', 'bad.csv', { precision: 0.05, zeroThreshold: 0.05 }),
          c('no-column', 'other-column.csv'),
          c('no-file', 'missing.csv'),
        ],
      }),
    );
  });
  afterAll(() => rmSync(shared, { recursive: true, force: true }));

  it('prints pass/fail per case with the first differing cell, the total, and exits 1', () => {
    const r = capture(['pmml', '--shared', shared]);
    expect(r.code).toBe(1);
    expect(r.out[0]).toBe('PASS  good (3 rows, 1 columns)');
    expect(r.out[1]).toBe("FAIL  bad: row 2, column 'y': expected '5.1', actual 5 (1 of 3 rows differ)");
    expect(r.out[2]).toBe('PASS  loose (3 rows, 1 columns)');
    expect(r.out[3]).toBe("FAIL  no-column: result column 'y' is not in the expected CSV");
    expect(r.out[4]).toMatch(/^FAIL {2}no-file: cannot run the case: .*missing\.csv/);
    expect(r.out[5]).toMatch(/^2\/5 cases pass \(3 fail\) in \d+\.\d s$/);
  });

  it('exits 0 when the selected cases pass; --failures hides passing lines', () => {
    const r = capture(['pmml', '--shared', shared, '--only', 'good', '--only', 'loose', '--failures']);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/^2\/2 cases pass/);
  });

  it('fails clearly without a manifest, and on bad options', () => {
    const none = capture(['pmml', '--shared', join(shared, 'nowhere')]);
    expect(none.code).toBe(1);
    expect(none.err[0]).toMatch(/^error: no conformance manifest at /);
    expect(capture(['--bogus']).code).toBe(2);
    expect(capture(['pmm']).code).toBe(2);
  });
});

const available = hasShared('conformance', 'pmml', 'MANIFEST.json');
if (!available)
  describe('PMML conformance suite (shared data)', () => {
    it.skip(`skipped: no ${sharedDir()}/conformance/pmml/MANIFEST.json (set MODELSERVING_SHARED)`, () => {});
  });

describe.skipIf(!available)('PMML conformance suite (shared data)', () => {
  it('passes every case of the manifest', () => {
    const r = capture(['pmml']);
    console.log(r.out.filter((l) => !l.startsWith('PASS')).join('\n'));
    expect(r.out.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toMatch(/^(\d+)\/\1 cases pass/);
  }, 300_000);
});
