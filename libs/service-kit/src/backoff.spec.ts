import { afterEach, describe, expect, it, vi } from 'vitest';
import { Backoff, DEFAULT_BACKOFF } from './backoff';

describe('Backoff', () => {
  afterEach(() => vi.useRealTimers());

  it('doubles from 100 ms and caps at 2 s by default (jitter ±20 %)', () => {
    const b = new Backoff({ random: () => 0.5 });
    expect([1, 2, 3, 4, 5, 6, 7].map(() => b.next())).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
    expect(DEFAULT_BACKOFF.maxMs).toBe(2_000);
  });

  it('never exceeds the cap, jitter included', () => {
    const b = new Backoff({ random: () => 0.999 });
    for (let i = 0; i < 40; i++) expect(b.next()).toBeLessThanOrEqual(2_000);
    const low = new Backoff({ random: () => 0 });
    expect(low.next()).toBe(80);
  });

  it('starts over after a connection that stayed up healthyAfterMs, not after a short one', () => {
    vi.useFakeTimers();
    const b = new Backoff({ random: () => 0.5, healthyAfterMs: 1_000 });
    b.next();
    b.next();
    b.connected();
    vi.advanceTimersByTime(500);
    expect(b.next()).toBe(400);
    b.connected();
    vi.advanceTimersByTime(1_000);
    expect(b.next()).toBe(100);
  });

  it('refuses a cap below the first delay', () => {
    expect(() => new Backoff({ initialMs: 500, maxMs: 100 })).toThrow(RangeError);
  });
});
