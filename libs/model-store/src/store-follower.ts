import type { ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';
import { Backoff, errorMessage, sleep, type BackoffOptions, type Logger } from '@modelserving/service-kit';
import type { ModelStore } from './model-store';
import { comparePositions } from './positions';
import { isStreamGapError } from './stream-gap-error';

/** The part of a ModelStore a follower reads. */
export type FollowableStore = Pick<ModelStore, 'snapshot' | 'tail'>;

/** What a follower keeps current: the router's routing table, the executor's model sync. */
export interface StoreSink {
  /** Replaces the whole state with a snapshot (at start, and after a gap or a lost connection). */
  load(snapshot: StoreSnapshot): void | Promise<void>;
  /** Applies the next event of the stream. */
  apply(event: ModelStreamEvent): void;
}

export interface StoreFollowerOptions {
  readonly log?: Logger;
  /** Re-snapshot backoff; default the service kit's (100 ms → 2 s, reset after a healthy tail). */
  readonly backoff?: BackoffOptions;
}

interface PositionWaiter {
  readonly position: string;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Follows the model stream into a sink: snapshot → sink.load → tail from the snapshot's position →
 * sink.apply per event. A gap (events trimmed away: OUT_OF_RANGE), a failed or ended tail or a failed
 * snapshot leads to a fresh snapshot after a backoff, so the sink survives store restarts and trimming.
 * Never throws out of its loop. Callers can wait for the first load or for a position to be applied.
 */
export class StoreFollower {
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private readonly log: Logger | undefined;
  private loop: Promise<void> | undefined;
  private applied = '';
  private loadedFlag = false;
  private snapshots = 0;
  private waiters: PositionWaiter[] = [];
  private readonly firstLoad: Promise<void>;
  private resolveFirstLoad!: () => void;

  constructor(
    private readonly store: FollowableStore,
    private readonly sink: StoreSink,
    options: StoreFollowerOptions = {},
  ) {
    this.backoff = new Backoff(options.backoff);
    this.log = options.log;
    this.firstLoad = new Promise<void>((resolve) => (this.resolveFirstLoad = resolve));
  }

  /** Position of the last snapshot or event the sink received ('' before the first load). */
  get position(): string {
    return this.applied;
  }

  /** True once the first snapshot is in the sink. */
  get isLoaded(): boolean {
    return this.loadedFlag;
  }

  /** Snapshots loaded so far (1 after start, more after gaps or store failures). */
  get snapshotCount(): number {
    return this.snapshots;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Resolves true once the first snapshot is loaded, false after `timeoutMs` or stop(). */
  async whenLoaded(timeoutMs: number): Promise<boolean> {
    if (this.loadedFlag) return true;
    return Promise.race([
      this.firstLoad.then(() => true),
      sleep(timeoutMs, this.abort.signal).then(() => this.loadedFlag),
    ]);
  }

  /** Resolves true once the sink has applied `position` (or a later one), false after `timeoutMs` or stop(). */
  waitFor(position: string, timeoutMs: number): Promise<boolean> {
    if (this.reached(position)) return Promise.resolve(true);
    if (this.abort.signal.aborted) return Promise.resolve(false);
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
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const snapshot = await this.store.snapshot();
        if (signal.aborted) break;
        await this.sink.load(snapshot);
        if (signal.aborted) break;
        this.snapshots++;
        this.advance(snapshot.position);
        if (!this.loadedFlag) {
          this.loadedFlag = true;
          this.resolveFirstLoad();
        }
        this.log?.info('model store snapshot loaded; tailing', {
          position: snapshot.position,
          models: snapshot.models.length,
        });
        this.backoff.connected();
        for await (const event of this.store.tail(snapshot.position, signal)) {
          if (signal.aborted) break;
          this.sink.apply(event);
          this.advance(event.position);
        }
        if (signal.aborted) break;
        // A tail that ends without being asked to is a lost connection: start over from a snapshot.
        this.log?.warn('model stream tail ended; taking a new snapshot');
      } catch (err) {
        if (signal.aborted) break;
        if (isStreamGapError(err))
          this.log?.info('model stream gap; taking a new snapshot', { error: errorMessage(err) });
        else
          this.log?.warn('model store unavailable; taking a new snapshot after a backoff', {
            error: errorMessage(err),
          });
      }
      await sleep(this.backoff.next(), signal);
    }
  }

  private advance(position: string): void {
    if (position !== '') this.applied = position;
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

  private reached(position: string): boolean {
    if (!this.loadedFlag) return false;
    try {
      return comparePositions(this.applied, position) >= 0;
    } catch {
      return false;
    }
  }
}
