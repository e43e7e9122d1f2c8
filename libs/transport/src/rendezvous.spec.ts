import { describe, expect, it } from 'vitest';
import { rendezvousOwners } from './rendezvous';

describe('rendezvousOwners', () => {
  const members = ['a:1', 'b:1', 'c:1', 'd:1'];

  it('is deterministic and independent of member order', () => {
    for (let i = 0; i < 100; i++) {
      const key = `wine/model-${i}`;
      expect(rendezvousOwners(key, members, 2)).toEqual(rendezvousOwners(key, [...members].reverse(), 2));
    }
  });

  it('spreads keys roughly evenly', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const [o] = rendezvousOwners(`t/${i}`, members);
      counts.set(o!, (counts.get(o!) ?? 0) + 1);
    }
    for (const m of members) expect(counts.get(m)).toBeGreaterThan(800);
  });

  it('moves only the keys of a member that leaves, to their next owner', () => {
    const gone = 'c:1';
    const rest = members.filter((m) => m !== gone);
    for (let i = 0; i < 500; i++) {
      const key = `t/${i}`;
      const before = rendezvousOwners(key, members, 2);
      const after = rendezvousOwners(key, rest, 1);
      if (before[0] === gone) expect(after[0]).toBe(before[1]);
      else expect(after[0]).toBe(before[0]);
    }
  });

  it('caps replicas at the member count and handles no members', () => {
    expect(rendezvousOwners('k', ['x'], 3)).toEqual(['x']);
    expect(rendezvousOwners('k', [], 2)).toEqual([]);
  });
});
