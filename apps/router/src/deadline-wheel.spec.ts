import { describe, expect, it } from 'vitest';
import { DeadlineWheel } from './deadline-wheel';
import { RouteRequest } from './route-request';

const sink = { onResponse: () => undefined };

describe('DeadlineWheel', () => {
  it('expires due requests, skips finished ones, and catches deadlines already past', async () => {
    const expired: string[] = [];
    const wheel = new DeadlineWheel((r) => expired.push(r.guid), 10);
    const mk = (guid: string, inMs: number) => {
      const r = new RouteRequest();
      r.sink = sink;
      r.guid = guid;
      r.deadlineAt = Date.now() + inMs;
      wheel.add(r);
      return r;
    };
    mk('late', 200);
    mk('soon', 30);
    mk('past', -50);
    const done = mk('done', 30);
    done.done = true;
    await new Promise((r) => setTimeout(r, 80));
    expect(expired.sort()).toEqual(['past', 'soon']);
    await new Promise((r) => setTimeout(r, 200));
    expect(expired.sort()).toEqual(['late', 'past', 'soon']);
    wheel.stop();
  });
});
