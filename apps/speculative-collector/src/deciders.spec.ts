import { Code } from '@modelserving/model-core';
import { describe, expect, it } from 'vitest';
import { valueKey } from './decider';
import { DeciderRegistry } from './decider-registry';
import { FirstDecider } from './first-decider';
import { MajorityDecider } from './majority-decider';
import { failed, ok } from './test-support/collector-clients';

describe('first decider', () => {
  const d = new FirstDecider();

  it('decides on the newest result only when it succeeded', () => {
    expect(d.early([failed('a', Code.INTERNAL, 'x')])).toBeUndefined();
    const r = ok('b', 1, 0.7);
    expect(d.early([failed('a', Code.INTERNAL, 'x'), r])).toEqual({ result: r, confidence: 0.7 });
    expect(d.early([ok('c', 2)])!.confidence).toBeUndefined();
  });

  it('finally takes the first success, or nothing', () => {
    const r = ok('b', 1);
    expect(d.final([failed('a', Code.INTERNAL, 'x'), r, ok('c', 2)])!.result).toBe(r);
    expect(d.final([failed('a', Code.INTERNAL, 'x')])).toBeUndefined();
    expect(d.final([])).toBeUndefined();
  });
});

describe('majority decider', () => {
  const d = new MajorityDecider();

  it('decides early only with more than half of the expected votes', () => {
    expect(d.early([ok('a', 1)], 3)).toBeUndefined();
    const v = d.early([ok('a', 1), ok('b', 1)], 3)!;
    expect(v.result.model).toBe('a');
    expect(v.votes).toBe(2);
    expect(v.confidence).toBeCloseTo(2 / 3);
    // 2 of 4 is not a majority.
    expect(d.early([ok('a', 1), ok('b', 1)], 4)).toBeUndefined();
    expect(d.early([ok('a', 1), ok('b', 1), failed('c', Code.INTERNAL, 'x')], 3)).toBeUndefined();
    expect(d.early([ok('a', 1)], 1)!.confidence).toBe(1);
  });

  it('picks the most frequent value, ties to the earliest, ignoring failures', () => {
    const v = d.final([ok('a', 'x'), ok('b', 'y'), ok('c', 'y'), failed('d', Code.INTERNAL, 'e')], 5)!;
    expect(v.result.model).toBe('b');
    expect(v.confidence).toBeCloseTo(2 / 5);
    expect(d.final([ok('a', 'x'), ok('b', 'y')], 2)!.result.model).toBe('a');
    expect(d.final([ok('a', 'y'), ok('b', 'x'), ok('c', 'x'), ok('d', 'y')], 4)!.result.model).toBe('a');
    expect(d.final([failed('a', Code.INTERNAL, 'e')], 2)).toBeUndefined();
  });

  it('compares values by string form', () => {
    expect(valueKey(ok('a', 7))).toBe(valueKey(ok('b', '7')));
    expect(valueKey({ ...ok('a', 1), value: { boolean: true } })).toBe('true');
    expect(valueKey({ ...ok('a', 1), value: undefined, outputs: { p: { number: 0.5 } } })).not.toBe(
      valueKey({ ...ok('a', 1), value: undefined }),
    );
  });
});

describe('DeciderRegistry', () => {
  it('knows first and majority, defaults to first and accepts more', () => {
    const r = new DeciderRegistry();
    expect(r.names()).toEqual(['first', 'majority']);
    expect(r.get('')!.name).toBe('first');
    expect(r.get('Majority ')!.name).toBe('majority');
    expect(r.get('median')).toBeUndefined();
    r.register({
      name: 'last',
      early: () => undefined,
      final: (rs) => (rs.length ? { result: rs[rs.length - 1]! } : undefined),
    });
    expect(r.get('last')!.name).toBe('last');
  });
});
