import { describe, expect, it } from 'vitest';
import { BuildQueue, type BuildPriority } from './build-queue';

describe('BuildQueue', () => {
  it('bounds concurrency and runs urgent work first', async () => {
    const q = new BuildQueue(2);
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const task = (name: string) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(name);
      running--;
      return name;
    };
    const all = [
      q.run(task('a')),
      q.run(task('b')),
      q.run(task('c')),
      q.run(task('d')),
      q.run(task('urgent'), true),
    ];
    expect(await Promise.all(all)).toEqual(['a', 'b', 'c', 'd', 'urgent']);
    expect(peak).toBe(2);
    expect(order.indexOf('urgent')).toBeLessThan(order.indexOf('c'));
  });

  it('passes errors through and keeps going', async () => {
    const q = new BuildQueue(1);
    const failed = q.run(() => Promise.reject(new Error('boom')));
    const thrown = q.run(() => {
      throw new Error('sync boom');
    });
    const ok = q.run(async () => 42);
    await expect(failed).rejects.toThrow('boom');
    await expect(thrown).rejects.toThrow('sync boom');
    await expect(ok).resolves.toBe(42);
    expect(q.active).toBe(0);
    expect(q.pending).toBe(0);
  });
});

describe('BuildQueue promotion', () => {
  it('moves a waiting backlog build to the urgent lane, once, and counts it once', async () => {
    const q = new BuildQueue(1);
    const order: string[] = [];
    const task = (name: string) => async () => {
      await new Promise((r) => setTimeout(r, 2));
      order.push(name);
    };
    const handle: BuildPriority = { urgent: false };
    const all = [
      q.run(task('a')),
      q.run(task('b')),
      q.run(task('c')),
      q.run(task('late'), handle),
      q.run(task('d')),
    ];
    expect(q.pending).toBe(4);
    expect(handle.promote).toBeDefined();
    handle.promote?.();
    handle.promote?.(); // a second promote is harmless
    expect(q.pending).toBe(4);
    await Promise.all(all);
    expect(order).toEqual(['a', 'late', 'b', 'c', 'd']);
    expect(q.pending).toBe(0);
    expect(handle.promote).toBeUndefined();
  });
});
