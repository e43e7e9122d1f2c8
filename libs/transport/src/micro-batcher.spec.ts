import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('flushes everything pushed in one turn as one batch at the end of the turn', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number>({ flush: (items) => batches.push(items) });
    for (let i = 0; i < 10; i++) b.push(i);
    expect(batches).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  });

  it('flushes at once when the batch is full', () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number>({ maxBatch: 3, flush: (items) => batches.push(items) });
    for (let i = 0; i < 7; i++) b.push(i);
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(b.pending).toBe(1);
    expect(b.drain()).toEqual([6]);
  });

  it('adds no delay for a lone item beyond the current turn', async () => {
    const t0 = performance.now();
    const done = new Promise<number>((resolve) => {
      const b = new MicroBatcher<number>({ flush: () => resolve(performance.now() - t0) });
      b.push(1);
    });
    expect(await done).toBeLessThan(20);
  });

  it('rejects a nonsensical batch size', () => {
    expect(() => new MicroBatcher({ maxBatch: 0, flush: () => {} })).toThrow(RangeError);
  });
});
