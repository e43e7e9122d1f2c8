import type { ModelStore } from '@modelserving/model-store';
import { comparePositions } from '@modelserving/model-store';
import { Backoff } from './backoff';
import { errorMessage, type Logger } from '@modelserving/service-kit';
import type { RoutingTable } from './routing-table';

interface PositionWaiter {
  readonly position: string;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Keeps the routing table current: snapshot, then tail from the snapshot's position; on a gap or any
 * failure, re-snapshot after a capped backoff. Never throws out of its loop.
 */
export class StoreFollower {
  private readonly abort = new AbortController();
  private readonly backoff = new Backoff(100, 5_000);
  private waiters: PositionWaiter[] = [];
  private loop: Promise<void> | undefined;
  private firstLoad: Promise<void>;
  private resolveFirstLoad!: () => void;

  constructor(
    private readonly store: ModelStore,
    private readonly table: RoutingTable,
    private readonly log: Logger,
  ) {
    this.firstLoad = new Promise<void>((r) => (this.resolveFirstLoad = r));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves once the first snapshot is loaded (or after `timeoutMs`, resolving false). */
  async loaded(timeoutMs: number): Promise<boolean> {
    if (this.table.loaded) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const ok = await Promise.race([this.firstLoad.then(() => true), timeout]);
    clearTimeout(timer);
    return ok;
  }

  /** Resolves true once the table has applied `position`, false after `timeoutMs`. */
  waitFor(position: string, timeoutMs: number): Promise<boolean> {
    if (this.reached(position)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const waiter: PositionWaiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.waiters = [];
    await this.loop;
  }

  private reached(position: string): boolean {
    if (!this.table.loaded) return false;
    try {
      return comparePositions(this.table.position, position) >= 0;
    } catch {
      return false;
    }
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const snapshot = await this.store.snapshot();
        if (signal.aborted) break;
        this.table.load(snapshot);
        this.resolveFirstLoad();
        this.notify();
        this.log.info('routing table loaded from the model store', {
          position: snapshot.position,
          models: snapshot.models.length,
          suspended: snapshot.suspended,
        });
        for await (const event of this.store.tail(snapshot.position, signal)) {
          this.table.apply(event);
          this.backoff.reset();
          this.notify();
        }
        if (signal.aborted) break;
        // A tail that ends without being asked to is a lost connection: start over from a snapshot.
        this.log.warn('model stream tail ended; re-snapshotting');
      } catch (err) {
        if (signal.aborted) break;
        this.log.warn('model store unavailable; re-snapshotting after backoff', { error: errorMessage(err) });
      }
      await sleep(this.backoff.next(), signal);
    }
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const still: PositionWaiter[] = [];
    for (const w of this.waiters) {
      if (this.reached(w.position)) {
        clearTimeout(w.timer);
        w.resolve(true);
      } else {
        still.push(w);
      }
    }
    this.waiters = still;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
