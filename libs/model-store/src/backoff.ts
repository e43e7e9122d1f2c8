/** Backoff options of this lib's clients (the loops use the service kit's Backoff; ioredis's retry strategy uses backoffDelay). */
export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs?: number;
  /** Largest delay, ms. */
  readonly maxMs?: number;
}

/** The service kit's policy: 100 ms doubling up to 2 s. */
export const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 2_000 } as const;

/** Delay before retry number `attempt` (0-based): initial·2^attempt, capped, with ±20 % jitter so a fleet of
 * executors does not reconnect in lockstep after the store comes back. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  const jitter = base * 0.2 * (Math.random() * 2 - 1);
  return Math.max(0, Math.min(max, Math.round(base + jitter)));
}
