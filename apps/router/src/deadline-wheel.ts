import type { RouteRequest } from './route-request';

/**
 * Request deadlines without a timer per request: requests go into buckets of `tickMs` by deadline and one
 * interval timer (running only while something is scheduled) expires each bucket when its time has come.
 * Requests that finished earlier are skipped when their bucket comes up.
 */
export class DeadlineWheel {
  private readonly buckets = new Map<number, RouteRequest[]>();
  private timer: NodeJS.Timeout | undefined;
  private lastTick = 0;

  constructor(
    private readonly onExpire: (req: RouteRequest) => void,
    private readonly tickMs = 20,
  ) {}

  add(req: RouteRequest): void {
    if (this.timer === undefined) this.lastTick = Math.floor(Date.now() / this.tickMs) - 1;
    // A deadline in a bucket already passed still expires at the next tick.
    const t = Math.max(Math.ceil(req.deadlineAt / this.tickMs), this.lastTick + 1);
    let bucket = this.buckets.get(t);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(t, bucket);
    }
    bucket.push(req);
    if (this.timer === undefined) {
      this.timer = setInterval(this.tick, this.tickMs);
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.buckets.clear();
  }

  private readonly tick = (): void => {
    const now = Date.now();
    const current = Math.floor(now / this.tickMs);
    for (let t = this.lastTick + 1; t <= current; t++) {
      const bucket = this.buckets.get(t);
      if (bucket === undefined) continue;
      this.buckets.delete(t);
      for (let i = 0; i < bucket.length; i++) {
        const req = bucket[i]!;
        if (!req.done && req.deadlineAt <= now) this.onExpire(req);
      }
    }
    this.lastTick = current;
    if (this.buckets.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  };
}
