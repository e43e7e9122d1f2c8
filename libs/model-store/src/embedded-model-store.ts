import { EventEmitter } from 'node:events';
import type { ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';
import { Code, ServingError, notFound } from '@modelserving/model-core';
import { blobDigest, blobKeyOf } from './blob-key';
import { DirectoryBlobStorage, MemoryBlobStorage, type BlobStorage } from './blob-storage';
import { prepareEvent } from './event-validation';
import type { ModelStore, PublishEvent } from './model-store';
import { comparePositions, nextPosition, positionTimeMs, validatePosition } from './positions';
import { SerialQueue } from './serial-queue';
import { StoreDirectory } from './store-directory';
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
  /**
   * Data directory: the store persists itself there (snapshot file, event log segments, `blobs/`) and a
   * reopen restores every model, policy, the suspended flag and the retained events. In memory only when
   * omitted.
   */
  readonly dir?: string;
  /** fsync each append before publish resolves. Default true: publishes are rare, losing one is not. */
  readonly fsync?: boolean;
  /** Events kept for tails (older ones are only in the state). Default 100000, like the Redis MAXLEN. */
  readonly maxLen?: number;
  /** The log is compacted into a new snapshot file once it is larger than max(this, the last snapshot). Default 16 MiB. */
  readonly compactMinBytes?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

interface EmbeddedConfig {
  readonly dir: string | undefined;
  readonly fsync: boolean;
  readonly maxLen: number;
  readonly compactMinBytes: number;
  readonly now: () => number;
  readonly limits: StoreLimits;
}

const DEFAULT_MAX_LEN = 100_000;
const DEFAULT_COMPACT_MIN_BYTES = 16 * 1024 * 1024;

function resolveConfig(options: EmbeddedModelStoreOptions): EmbeddedConfig {
  return {
    dir: options.dir === '' ? undefined : options.dir,
    fsync: options.fsync ?? true,
    maxLen: requirePositiveInt('maxLen', options.maxLen ?? DEFAULT_MAX_LEN),
    compactMinBytes: requirePositiveInt(
      'compactMinBytes',
      options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES,
    ),
    now: options.now ?? Date.now,
    limits: resolveStoreLimits(options),
  };
}

/**
 * The model store inside one process: the stream is an array, the state a fold of it, tails wake up on an
 * EventEmitter. With `dir` it survives restarts, SIGKILL included (see StoreDirectory). Other processes
 * reach it through `createModelStoreServiceImpl` + `RemoteModelStore`.
 */
export class EmbeddedModelStore implements ModelStore {
  private readonly emitter = new EventEmitter();
  private readonly queue = new SerialQueue();
  /** Retained events; `events[i]` has absolute index `trimmedCount + i`. */
  private events: ModelStreamEvent[] = [];
  private trimmedCount = 0;
  /** Position of the newest event no longer retained: a tail from before it has a gap. */
  private lastTrimmed = '';
  private closed = false;

  private constructor(
    private readonly config: EmbeddedConfig,
    private readonly state: StoreState,
    private readonly blobs: BlobStorage,
    private readonly directory: StoreDirectory | undefined,
  ) {
    // Every tail waits on the emitter; there is no leak to warn about.
    this.emitter.setMaxListeners(0);
  }

  /** Opens the store: in memory without `dir`, else restored from (and persisted to) that directory. */
  static async open(options: EmbeddedModelStoreOptions = {}): Promise<EmbeddedModelStore> {
    const config = resolveConfig(options);
    if (config.dir === undefined)
      return new EmbeddedModelStore(config, new StoreState(), new MemoryBlobStorage(), undefined);

    const { directory, snapshot, events } = await StoreDirectory.open(config.dir, {
      fsync: config.fsync,
      compactMinBytes: config.compactMinBytes,
    });
    try {
      const blobs = await DirectoryBlobStorage.open(directory.blobsDir);
      const state = snapshot ? StoreState.fromSnapshot(snapshot) : new StoreState();
      for (const event of events) state.apply(event);
      const store = new EmbeddedModelStore(config, state, blobs, directory);
      store.events = events;
      store.lastTrimmed = snapshot?.position ?? '';
      store.trimIfNeeded(true);
      // A long log (many publishes since the last snapshot) makes the next open slow: compact now.
      if (directory.wantsCompaction) await directory.startCompaction(state.toSnapshot());
      return store;
    } catch (err) {
      await directory.close();
      throw err;
    }
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
      await this.directory?.append(full);
      this.state.apply(full);
      this.events.push(full);
      this.trimIfNeeded(false);
      if (this.directory?.wantsCompaction) {
        try {
          await this.directory.startCompaction(this.state.toSnapshot());
        } catch {
          // Compaction only bounds disk use and restart time; the event is logged, so the publish stands.
          // If the log itself became unusable, the next append reports it.
        }
      }
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
    await this.directory?.close();
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
   * Keeps at most maxLen events in memory (the state has everything). Like Redis' approximate MAXLEN it
   * trims only once 10 % over the limit, so the cost is amortized over many publishes.
   */
  private trimIfNeeded(force: boolean): void {
    const { maxLen } = this.config;
    const slack = Math.max(1, Math.floor(maxLen / 10));
    const excess = this.events.length - maxLen;
    if (excess <= 0 || (!force && excess < slack)) return;
    this.lastTrimmed = (this.events[excess - 1] as ModelStreamEvent).position;
    this.events = this.events.slice(excess);
    this.trimmedCount += excess;
  }

  /** Resolves when a background compaction in progress has finished (tests). */
  async settled(): Promise<void> {
    await this.directory?.settled();
  }
}
