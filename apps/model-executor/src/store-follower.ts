import type { ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';
import { errorMessage, type Logger } from '@modelserving/service-kit';
import type { ModelSync } from './model-sync';

/** The part of a ModelStore the follower reads. */
export interface FollowableStore {
  snapshot(): Promise<StoreSnapshot>;
  tail(after: string, signal?: AbortSignal): AsyncIterable<ModelStreamEvent>;
}

export interface StoreFollowerOptions {
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A tail that ran this long before failing resets the backoff. */
  readonly healthyAfterMs?: number;
}

/**
 * Follows the model stream: snapshot → reconcile → tail from the snapshot's position, applying events in
 * order. A gap (events trimmed away), a failed tail or an ended stream leads to a fresh snapshot and a
 * reconcile, retried with capped exponential backoff, so an executor survives store restarts.
 */
export class StoreFollower {
  private readonly abort = new AbortController();
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly healthyAfterMs: number;
  private loop: Promise<void> | undefined;
  private snapshots = 0;

  constructor(
    private readonly store: FollowableStore,
    private readonly sync: ModelSync,
    private readonly log: Logger,
    options: StoreFollowerOptions = {},
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.healthyAfterMs = options.healthyAfterMs ?? 10_000;
  }

  /** How many snapshots were applied (1 after start, more after gaps or store failures). */
  get snapshotCount(): number {
    return this.snapshots;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    let backoff = this.minBackoffMs;
    while (!this.stopped) {
      let tailStarted = 0;
      try {
        const snapshot = await this.store.snapshot();
        if (this.stopped) return;
        await this.sync.reconcile(snapshot);
        this.snapshots++;
        this.log.info(
          `applied store snapshot at '${snapshot.position}' (${snapshot.models.length} models); tailing`,
        );
        tailStarted = Date.now();
        for await (const ev of this.store.tail(this.sync.position, this.abort.signal)) {
          if (this.stopped) return;
          this.sync.applyEvent(ev);
          backoff = this.minBackoffMs;
        }
        if (this.stopped) return;
        this.log.warn('model stream ended; taking a new snapshot');
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof ServingError && err.code === Code.OUT_OF_RANGE) {
          this.log.info(`${err.message}`);
        } else {
          this.log.warn(`model store: ${errorMessage(err)}; retrying in ${backoff} ms`);
        }
      }
      if (tailStarted > 0 && Date.now() - tailStarted >= this.healthyAfterMs) backoff = this.minBackoffMs;
      await sleep(backoff, this.abort.signal);
      backoff = Math.min(backoff * 2, this.maxBackoffMs);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
