import { describe, expect, it } from 'vitest';
import { parsePmml } from './evaluator';
import { hasModelVerification, verifyPmml } from './model-verification';
import { VERIFIED_ROWS, verifiedLogisticPmml } from './__fixtures__/verified-logistic';
import { servingErrorOf } from './__fixtures__/pmml-doc';

describe('verifyPmml (ModelVerification)', () => {
  it('passes every record of a document whose block matches the model', () => {
    const report = verifyPmml(verifiedLogisticPmml());
    expect(report).toMatchObject({ modelElement: 'RegressionModel', records: 3, passed: 3, failed: 0 });
    expect(report.fields.map((f) => [f.field, f.column, f.role])).toEqual([
      ['x1', 'x1', 'input'],
      ['x2', 'x2', 'input'],
      ['y', 'y', 'output'],
      ['P_yes', 'p', 'output'],
    ]);
    expect(report.fields[3]).toMatchObject({ precision: 1e-6, zeroThreshold: 1e-16 });
    expect(report.declaredRecordCount).toBeUndefined();
  });

  it('accepts a compiled evaluator as well as the document', () => {
    const ev = parsePmml(verifiedLogisticPmml());
    expect(hasModelVerification(ev)).toBe(true);
    expect(verifyPmml(ev).passed).toBe(3);
    // the evaluator remains usable afterwards
    expect(ev.evaluate({ x1: 6, x2: 0 }).value).toBe('yes');
  });

  it('fails the records whose expected values disagree, naming field, expected and actual', () => {
    const rows = [
      VERIFIED_ROWS[0]!,
      { ...VERIFIED_ROWS[1]!, y: 'yes' }, // wrong label
      { ...VERIFIED_ROWS[2]!, p: '0.9' }, // wrong probability
    ];
    const report = verifyPmml(verifiedLogisticPmml(rows));
    expect(report.passed).toBe(1);
    expect(report.failed).toBe(2);
    expect(report.results[1]!.mismatches).toEqual([
      expect.objectContaining({ field: 'y', expected: 'yes', actual: 'no' }),
    ]);
    expect(report.results[2]!.mismatches).toEqual([
      expect.objectContaining({ field: 'P_yes', expected: '0.9', actual: 0.8807970779778823 }),
    ]);
  });

  it("uses the block's precision: a rounded expectation passes at 1e-3 and fails at the 1e-6 default", () => {
    const rounded = VERIFIED_ROWS.map((r) => ({ ...r, p: Number(r.p).toFixed(4) }));
    expect(verifyPmml(verifiedLogisticPmml(rounded)).failed).toBe(3);
    expect(verifyPmml(verifiedLogisticPmml(rounded, { precision: '1e-3' })).passed).toBe(3);
  });

  it('uses zeroThreshold for values near zero', () => {
    // z = -1 + 0.5·(-60) = -31 → P(yes) ≈ 3.4e-14: "0" only matches when both are below the threshold
    const tiny = [{ x1: '-60', x2: '0', y: 'no', p: '0' }];
    expect(verifyPmml(verifiedLogisticPmml(tiny)).failed).toBe(1);
    expect(verifyPmml(verifiedLogisticPmml(tiny, { zeroThreshold: '1e-12' })).passed).toBe(1);
  });

  it('reports a recordCount that disagrees with the rows present', () => {
    const doc = verifiedLogisticPmml().replace('recordCount="3"', 'recordCount="5"');
    expect(verifyPmml(doc).declaredRecordCount).toBe(5);
  });

  it('refuses a document without a verification block', () => {
    const err = servingErrorOf(() => verifyPmml(verifiedLogisticPmml(VERIFIED_ROWS, { withBlock: false })));
    expect(err.message).toMatch(/<RegressionModel> at line \d+ has no <ModelVerification>/);
  });
});
