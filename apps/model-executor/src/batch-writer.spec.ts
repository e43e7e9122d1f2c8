import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BatchWriter } from './batch-writer';

class FakeTarget extends EventEmitter {
  readonly batches: number[][] = [];
  accept = true;
  write(batch: { items: number[] }): boolean {
    this.batches.push(batch.items);
    return this.accept;
  }
}

const turn = () => new Promise((r) => setImmediate(r));

describe('BatchWriter', () => {
  it('batches per turn and by size', async () => {
    const t = new FakeTarget();
    const w = new BatchWriter<number, { items: number[] }>(t, { maxBatch: 3, wrap: (items) => ({ items }) });
    for (let i = 0; i < 5; i++) w.push(i);
    await turn();
    expect(t.batches).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it('holds writes until drain and keeps order', async () => {
    const t = new FakeTarget();
    let paused = 0;
    let resumed = 0;
    const w = new BatchWriter<number, { items: number[] }>(t, {
      maxBatch: 2,
      wrap: (items) => ({ items }),
      onPause: () => paused++,
      onResume: () => resumed++,
    });
    t.accept = false;
    w.push(1);
    await turn();
    expect(t.batches).toEqual([[1]]);
    expect(w.isPaused).toBe(true);
    for (let i = 2; i <= 6; i++) w.push(i);
    await turn();
    expect(t.batches).toEqual([[1]]);
    expect(w.buffered).toBe(5);
    const idle = w.whenIdle();
    t.accept = true;
    t.emit('drain');
    await idle;
    expect(t.batches).toEqual([[1], [2, 3], [4, 5], [6]]);
    expect([paused, resumed]).toEqual([1, 1]);
  });

  it('buffers without a target and writes on setTarget', async () => {
    const w = new BatchWriter<number, { items: number[] }>(undefined, {
      maxBatch: 10,
      wrap: (items) => ({ items }),
    });
    w.push(1);
    w.push(2);
    await turn();
    const t = new FakeTarget();
    w.setTarget(t);
    expect(t.batches).toEqual([[1, 2]]);
    w.push(3);
    expect(w.takeAll()).toEqual([3]);
  });
});
