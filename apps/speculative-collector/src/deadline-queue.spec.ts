import { describe, expect, it } from 'vitest';
import { DeadlineQueue, type Deadlined } from './deadline-queue';

interface Item extends Deadlined {
  id: number;
}

const mk = (id: number, deadline: number): Item => ({ id, deadline, heapIndex: -1 });

describe('DeadlineQueue', () => {
  it('expires items in deadline order with one timer, skipping removed ones', async () => {
    const expired: number[] = [];
    const q = new DeadlineQueue<Item>((i) => expired.push(i.id));
    const now = performance.now();
    const items = [mk(1, now + 60), mk(2, now + 20), mk(3, now + 40), mk(4, now + 30), mk(5, now + 50)];
    for (const i of items) q.add(i);
    expect(q.size).toBe(5);
    q.remove(items[3]!);
    q.remove(items[3]!);
    expect(items[3]!.heapIndex).toBe(-1);
    await new Promise((r) => setTimeout(r, 120));
    expect(expired).toEqual([2, 3, 5, 1]);
    expect(q.size).toBe(0);
  });

  it('re-arms for an item earlier than the armed one', async () => {
    const expired: number[] = [];
    const q = new DeadlineQueue<Item>((i) => expired.push(i.id));
    const now = performance.now();
    q.add(mk(1, now + 5_000));
    q.add(mk(2, now + 10));
    await new Promise((r) => setTimeout(r, 60));
    expect(expired).toEqual([2]);
    expect(q.clear().map((i) => i.id)).toEqual([1]);
  });

  it('keeps heap order under random adds and removes', () => {
    const q = new DeadlineQueue<Item>(
      () => {},
      () => 0,
    );
    const live = new Set<Item>();
    let seed = 7;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 5_000; i++) {
      const it = mk(i, 1_000 + Math.floor(rnd() * 10_000));
      q.add(it);
      live.add(it);
      if (rnd() < 0.4) {
        const victim = [...live][Math.floor(rnd() * live.size)]!;
        q.remove(victim);
        live.delete(victim);
      }
    }
    const out = q.clear();
    expect(out).toHaveLength(live.size);
    for (let i = 1; i < out.length; i++)
      expect(out[i]!.deadline).toBeGreaterThanOrEqual(out[i - 1]!.deadline);
  });
});
