/**
 * The one reconnect policy of every internal link (router → executor, router → collector, executor →
 * collector, the store followers): capped exponential backoff with ±20 % jitter, so a fleet that lost a
 * peer does not come back in lockstep. Internal peers restart in seconds (rolling deploys, crashes), so
 * the cap is 2 s, not grpc's default 120 s: a 10 s outage costs at most ~2 s more.
 */
export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs?: number;
  /** Largest delay, ms. */
  readonly maxMs?: number;
  /** A connection that stayed up this long was healthy: the next failure starts from `initialMs`. */
  readonly healthyAfterMs?: number;
  /** Random source in [0, 1) (tests inject a fixed one). */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF = Object.freeze({ initialMs: 100, maxMs: 2_000, healthyAfterMs: 2_000 });

/**
 * The delay before retry number `attempt` (0-based) under the policy: for callers that count attempts
 * themselves (ioredis's retryStrategy).
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initialMs = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const maxMs = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const random = options.random ?? Math.random;
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(Math.min(maxMs, base * (0.8 + 0.4 * random())));
}

export class Backoff {
  private attempt = 0;
  private upSince = 0;
  readonly initialMs: number;
  readonly maxMs: number;
  readonly healthyAfterMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
    this.maxMs = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
    this.healthyAfterMs = options.healthyAfterMs ?? DEFAULT_BACKOFF.healthyAfterMs;
    this.random = options.random ?? Math.random;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs)) {
      throw new RangeError(`backoff needs 0 < initialMs <= maxMs, got ${this.initialMs}, ${this.maxMs}`);
    }
  }

  /** The delay before the next attempt; each call counts one failed attempt. */
  next(): number {
    if (this.upSince > 0 && Date.now() - this.upSince >= this.healthyAfterMs) this.attempt = 0;
    this.upSince = 0;
    const delay = backoffDelay(this.attempt, {
      initialMs: this.initialMs,
      maxMs: this.maxMs,
      random: this.random,
    });
    this.attempt++;
    return delay;
  }

  /** The link is up now; if it stays up `healthyAfterMs`, the next failure starts from the shortest delay. */
  connected(): void {
    this.upSince = Date.now();
  }

  /** Starts over from the shortest delay. */
  reset(): void {
    this.attempt = 0;
    this.upSince = 0;
  }
}
