/** Capped exponential backoff, shared by every reconnect loop of this lib. */
export interface BackoffOptions {
  /** First delay, ms. */
  readonly initialMs?: number;
  /** Largest delay, ms. */
  readonly maxMs?: number;
}

export const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 5_000 } as const;

/** Delay before retry number `attempt` (0-based): initial·2^attempt, capped, with ±20 % jitter so a fleet of
 * executors does not reconnect in lockstep after the store comes back. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const base = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  const jitter = base * 0.2 * (Math.random() * 2 - 1);
  return Math.max(0, Math.min(max, Math.round(base + jitter)));
}

/** Sleeps `ms`; resolves false early (never rejects) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
