import { describe, expect, it } from 'vitest';
import { OrphanBuffer } from './orphan-buffer';
import { RecentSet } from './recent-set';
import { ok } from './test-support/collector-clients';

describe('OrphanBuffer', () => {
  it('holds results per guid until the TTL and counts what expires', () => {
    let now = 0;
    let expired = 0;
    const b = new OrphanBuffer({
      ttlMs: 100,
      maxResults: 10,
      now: () => now,
      onExpired: (n) => (expired += n),
    });
    b.add('g1', ok('a', 1));
    b.add('g1', ok('b', 2));
    now = 50;
    b.add('g2', ok('a', 3));
    expect(b.size).toBe(3);
    expect(b.take('g1')!.map((r) => r.model)).toEqual(['a', 'b']);
    expect(b.take('g1')).toBeUndefined();
    now = 160;
    // Past its TTL: never applied, counted as expired.
    expect(b.take('g2')).toBeUndefined();
    expect(expired).toBe(1);
    b.add('g3', ok('a', 1));
    now = 300;
    b.expire();
    expect(expired).toBe(2);
    expect(b.size).toBe(0);
    b.close();
  });

  it('evicts the oldest guids when full', () => {
    let evicted = 0;
    const b = new OrphanBuffer({ ttlMs: 10_000, maxResults: 10, onEvicted: (n) => (evicted += n) });
    for (let i = 0; i < 11; i++) b.add(`g${i}`, ok('a', i));
    expect(evicted).toBe(2);
    expect(b.size).toBe(9);
    expect(b.take('g0')).toBeUndefined();
    expect(b.take('g10')).toHaveLength(1);
    b.close();
  });
});

describe('RecentSet', () => {
  it('remembers at least the last half of its capacity and at most its capacity', () => {
    const s = new RecentSet(10);
    for (let i = 0; i < 100; i++) s.add(`k${i}`);
    expect(s.size).toBeLessThanOrEqual(10);
    for (let i = 95; i < 100; i++) expect(s.has(`k${i}`)).toBe(true);
    expect(s.has('k0')).toBe(false);
    s.delete('k99');
    expect(s.has('k99')).toBe(false);
    const none = new RecentSet(0);
    none.add('x');
    expect(none.has('x')).toBe(false);
  });
});
