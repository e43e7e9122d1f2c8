import type { ModelStreamEvent } from '@modelserving/contracts';
import type { ModelStore } from '../model-store';

/**
 * Consumes a tail in the background so a test can publish, then wait for what arrived. `stop()` aborts the
 * tail and waits for its loop to finish, so no iteration outlives the test.
 */
export class TailReader {
  readonly events: ModelStreamEvent[] = [];
  error: unknown;
  ended = false;
  private readonly abort = new AbortController();
  private readonly loop: Promise<void>;

  constructor(store: ModelStore, after: string) {
    this.loop = (async () => {
      try {
        for await (const event of store.tail(after, this.abort.signal)) this.events.push(event);
      } catch (err) {
        this.error = err;
      } finally {
        this.ended = true;
      }
    })();
  }

  get positions(): string[] {
    return this.events.map((e) => e.position);
  }

  /** Waits until at least `n` events arrived; fails early if the tail ended or threw. */
  async waitForCount(n: number, timeoutMs = 10_000): Promise<ModelStreamEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < n) {
      if (this.ended) {
        throw new Error(`tail ended after ${this.events.length}/${n} events`, { cause: this.error });
      }
      if (Date.now() > deadline)
        throw new Error(`tail delivered ${this.events.length}/${n} events within ${timeoutMs} ms`);
      await delay(10);
    }
    return this.events.slice(0, n);
  }

  /** Waits for the tail to end by itself (error or close) and returns its error, if any. */
  async waitForEnd(timeoutMs = 10_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error(`tail did not end within ${timeoutMs} ms`);
      await delay(10);
    }
    return this.error;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Retries `fn` until it resolves (e.g. while a client reconnects), up to `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await delay(intervalMs);
    }
  }
}
