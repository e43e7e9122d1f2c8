import { MicroBatcher } from '@modelserving/transport';

/** The part of a Node Writable (grpc-js call) a BatchWriter needs. */
export interface BatchTarget<B> {
  write(batch: B): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

export interface BatchWriterOptions<T, B> {
  readonly maxBatch: number;
  /** Wraps items into one stream message. */
  readonly wrap: (items: T[]) => B;
  /** Called when the target stops accepting (write returned false) and when it drained again. */
  readonly onPause?: () => void;
  readonly onResume?: () => void;
}

/**
 * Micro-batched writes to one stream with backpressure: when `write()` returns false nothing more is
 * written until 'drain'; items keep collecting meanwhile and go out in full batches afterwards.
 */
export class BatchWriter<T, B> {
  private readonly batcher: MicroBatcher<T>;
  private readonly maxBatch: number;
  private readonly wrap: (items: T[]) => B;
  private readonly onPause: (() => void) | undefined;
  private readonly onResume: (() => void) | undefined;
  private target: BatchTarget<B> | undefined;
  private paused = false;
  /** Items held while the target is paused or absent. */
  private backlog: T[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(target: BatchTarget<B> | undefined, options: BatchWriterOptions<T, B>) {
    this.target = target;
    this.maxBatch = options.maxBatch;
    this.wrap = options.wrap;
    this.onPause = options.onPause;
    this.onResume = options.onResume;
    this.batcher = new MicroBatcher<T>({ maxBatch: options.maxBatch, flush: this.send });
  }

  /** Items not yet handed to the target. */
  get buffered(): number {
    return this.batcher.pending + this.backlog.length;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  push(item: T): void {
    this.batcher.push(item);
  }

  /** Writes what is queued now (still subject to backpressure). */
  flush(): void {
    this.batcher.flush();
  }

  /** Points the writer at a new stream (reconnect); a pause of the old one no longer applies. */
  setTarget(target: BatchTarget<B> | undefined): void {
    this.target = target;
    const wasPaused = this.paused;
    this.paused = false;
    if (target) this.writeBacklog();
    if (wasPaused && !this.paused) this.onResume?.();
  }

  /** Removes and returns everything not yet written (e.g. to count or fail it). */
  takeAll(): T[] {
    const rest = this.backlog;
    this.backlog = [];
    for (const item of this.batcher.drain()) rest.push(item);
    this.notifyIdle();
    return rest;
  }

  /** Resolves once every pushed item has been handed to the target. */
  whenIdle(): Promise<void> {
    this.batcher.flush();
    if (this.buffered === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private readonly send = (items: T[]): void => {
    const target = this.target;
    if (this.paused || !target || this.backlog.length > 0) {
      for (let i = 0; i < items.length; i++) this.backlog.push(items[i] as T);
      return;
    }
    this.writeTo(target, items);
    this.notifyIdle();
  };

  private writeTo(target: BatchTarget<B>, items: T[]): void {
    if (!target.write(this.wrap(items)) && !this.paused) {
      this.paused = true;
      this.onPause?.();
      target.once('drain', () => {
        if (this.target !== target) return;
        this.paused = false;
        this.writeBacklog();
        if (!this.paused) this.onResume?.();
      });
    }
  }

  private writeBacklog(): void {
    const target = this.target;
    while (target && !this.paused && this.backlog.length > 0) {
      const chunk =
        this.backlog.length <= this.maxBatch ? this.backlog : this.backlog.slice(0, this.maxBatch);
      this.backlog = chunk === this.backlog ? [] : this.backlog.slice(this.maxBatch);
      this.writeTo(target, chunk);
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || this.buffered > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
