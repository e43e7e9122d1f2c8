import { EventEmitter } from 'node:events';
import type { ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';
import { Code, ServingError, notFound } from '@modelserving/model-core';
import { blobDigest, blobKeyOf } from './blob-key';
import { DirectoryBlobStorage, MemoryBlobStorage, type BlobStorage } from './blob-storage';
import { EventLogFile } from './event-log-file';
import { prepareEvent } from './event-validation';
import type { ModelStore, PublishEvent } from './model-store';
import { comparePositions, nextPosition, positionTimeMs, validatePosition } from './positions';
import { SerialQueue } from './serial-queue';
import { StoreState } from './store-state';
import {
  formatBytes,
  requirePositiveInt,
  resolveStoreLimits,
  type StoreLimits,
  type StoreLimitsOptions,
} from './store-limits';
import { StreamGapError } from './stream-gap-error';

export interface EmbeddedModelStoreOptions extends StoreLimitsOptions {
  /** Persist to this append-only log (blobs go to `<file>.blobs/`); in memory only when omitted. */
  readonly file?: string;
  /** fsync each append before publish resolves. Default true: publishes are rare, losing one is not. */
  readonly fsync?: boolean;
  /** Events kept for tails (older ones are folded into a checkpoint). Default 100000, like the Redis MAXLEN. */
  readonly maxLen?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

interface EmbeddedConfig {
  readonly file: string | undefined;
  readonly fsync: boolean;
  readonly maxLen: number;
  readonly now: () => number;
  readonly limits: StoreLimits;
}

const DEFAULT_MAX_LEN = 100_000;

function resolveConfig(options: EmbeddedModelStoreOptions): EmbeddedConfig {
  return {
    file: options.file === '' ? undefined : options.file,
    fsync: options.fsync ?? true,
    maxLen: requirePositiveInt('maxLen', options.maxLen ?? DEFAULT_MAX_LEN),
    now: options.now ?? Date.now,
    limits: resolveStoreLimits(options),
  };
}

/**
 * The model store inside one process: the stream is an array, the state a fold of it, tails wake up on an
 * EventEmitter. With `file` it survives restarts (events are appended to a log that is replayed on open).
 * Other processes reach it through `createModelStoreServiceImpl` + `RemoteModelStore`.
 */
export class EmbeddedModelStore implements ModelStore {
  private readonly emitter = new EventEmitter();
  private readonly queue = new SerialQueue();
  /** Retained events; `events[i]` has absolute index `trimmedCount + i`. */
  private events: ModelStreamEvent[] = [];
  private trimmedCount = 0;
  /** Position of the newest trimmed event: a tail from before it has a gap. */
  private lastTrimmed = '';
  /** With a file: the state folded from the trimmed events only, written as the file's checkpoint on compaction. */
  private checkpoint: StoreState | undefined;
  private closed = false;

  private constructor(
    private readonly config: EmbeddedConfig,
    private readonly state: StoreState,
    private readonly blobs: BlobStorage,
    private readonly log: EventLogFile | undefined,
  ) {
    // Every tail waits on the emitter; there is no leak to warn about.
    this.emitter.setMaxListeners(0);
  }

  static async open(options: EmbeddedModelStoreOptions = {}): Promise<EmbeddedModelStore> {
    const config = resolveConfig(options);
    if (config.file === undefined)
      return new EmbeddedModelStore(config, new StoreState(), new MemoryBlobStorage(), undefined);

    const blobs = await DirectoryBlobStorage.open(`${config.file}.blobs`);
    const { log, records } = await EventLogFile.open(config.file, { fsync: config.fsync });
    let checkpoint = new StoreState();
    let state = new StoreState();
    let events: ModelStreamEvent[] = [];
    let lastTrimmed = '';
    for (const record of records) {
      if (record.kind === 'checkpoint') {
        // A checkpoint folds every event before it.
        checkpoint = StoreState.fromSnapshot(record.snapshot);
        state = StoreState.fromSnapshot(record.snapshot);
        lastTrimmed = record.snapshot.position;
        events = [];
      } else {
        state.apply(record.event);
        events.push(record.event);
      }
    }
    const store = new EmbeddedModelStore(config, state, blobs, log);
    store.events = events;
    store.lastTrimmed = lastTrimmed;
    store.checkpoint = checkpoint;
    await store.trimIfNeeded(true);
    return store;
  }

  async publish(event: PublishEvent): Promise<string> {
    this.ensureOpen();
    // Blob uploads happen outside the queue: they are idempotent and may be slow.
    const prepared = await prepareEvent(event, this.config.limits, {
      putBlob: (data) => this.putBlob(data),
      hasBlob: (key) => this.blobs.has(key),
    });
    return this.queue.run(async () => {
      this.ensureOpen();
      this.state.check(prepared);
      const position = nextPosition(this.state.position, this.config.now());
      const full: ModelStreamEvent = { ...prepared, position, timestampMs: positionTimeMs(position) };
      // Log first: an event the file does not have must not become visible.
      await this.log?.append([{ kind: 'event', event: full }]);
      this.state.apply(full);
      this.events.push(full);
      await this.trimIfNeeded(false);
      this.emitter.emit('change');
      return position;
    });
  }

  async snapshot(): Promise<StoreSnapshot> {
    this.ensureOpen();
    return this.state.toSnapshot();
  }

  tail(after: string, signal?: AbortSignal): AsyncIterable<ModelStreamEvent> {
    validatePosition('tail position', after);
    return this.tailEvents(after, signal);
  }

  private async *tailEvents(after: string, signal?: AbortSignal): AsyncGenerator<ModelStreamEvent> {
    if (after !== '' && comparePositions(this.lastTrimmed, after) > 0) {
      throw new StreamGapError(after, `events up to ${this.lastTrimmed} were trimmed`);
    }
    let cursor = this.trimmedCount + this.firstIndexAfter(after);
    while (!this.closed && !signal?.aborted) {
      if (cursor < this.trimmedCount) {
        // This tail fell more than maxLen events behind.
        throw new StreamGapError(this.positionAt(cursor - 1) ?? after, 'the tail fell behind the trimming');
      }
      const event = this.events[cursor - this.trimmedCount];
      if (event !== undefined) {
        cursor++;
        yield event;
        continue;
      }
      await this.waitForChange(signal);
    }
  }

  async putBlob(data: Uint8Array): Promise<string> {
    this.ensureOpen();
    if (data.length > this.config.limits.maxModelBytes) {
      throw new ServingError(
        Code.RESOURCE_EXHAUSTED,
        `blob of ${formatBytes(data.length)} is larger than the limit of ${formatBytes(this.config.limits.maxModelBytes)} (maxModelBytes)`,
      );
    }
    const key = blobKeyOf(data);
    await this.blobs.put(key, data);
    return key;
  }

  async getBlob(key: string): Promise<Uint8Array> {
    this.ensureOpen();
    blobDigest(key);
    const data = await this.blobs.get(key);
    if (data === undefined) throw notFound(`blob ${key} is not in the model store`);
    return data;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.emitter.emit('change');
    await this.queue.drain();
    await this.log?.close();
  }

  private ensureOpen(): void {
    if (this.closed) throw new ServingError(Code.UNAVAILABLE, 'the embedded model store is closed');
  }

  /** Resolves on the next publish, on close() or when the signal aborts, whichever comes first. */
  private waitForChange(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.emitter.off('change', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.emitter.on('change', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Index into `events` of the first event after `after`. */
  private firstIndexAfter(after: string): number {
    if (after === '') return 0;
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePositions((this.events[mid] as ModelStreamEvent).position, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private positionAt(absolute: number): string | undefined {
    return this.events[absolute - this.trimmedCount]?.position;
  }

  /**
   * Keeps at most maxLen events. Like Redis' approximate MAXLEN it trims only once 10 % over the limit, so
   * the cost (and the file compaction that goes with it) is amortized over many publishes.
   */
  private async trimIfNeeded(force: boolean): Promise<void> {
    const { maxLen } = this.config;
    const slack = Math.max(1, Math.floor(maxLen / 10));
    const excess = this.events.length - maxLen;
    if (excess <= 0 || (!force && excess < slack)) return;

    const trimmed = this.events.slice(0, excess);
    const kept = this.events.slice(excess);
    const lastTrimmed = (trimmed[trimmed.length - 1] as ModelStreamEvent).position;
    if (this.log && this.checkpoint) {
      // The file becomes: the state folded up to the last trimmed event, then the kept events.
      for (const event of trimmed) this.checkpoint.apply(event);
      try {
        await this.log.rewrite([
          { kind: 'checkpoint', snapshot: this.checkpoint.toSnapshot() },
          ...kept.map((event) => ({ kind: 'event' as const, event })),
        ]);
      } catch {
        // Compaction only bounds the file's size; the old file still holds every event, so the publish that
        // triggered it stands. If the log itself became unusable, the next append reports DATA_LOSS.
      }
    }
    this.events = kept;
    this.trimmedCount += excess;
    this.lastTrimmed = lastTrimmed;
  }
}
