export interface MicroBatcherOptions<T> {
  /** Flush as soon as this many items are queued. */
  readonly maxBatch?: number;
  /** Receives each batch; must not throw (errors are the sender's to report per item). */
  readonly flush: (items: T[]) => void;
}

/**
 * Collects items into batches for one stream hop. A batch is flushed when it is full or at the end of the
 * current event-loop turn (setImmediate), so a lone request adds no waiting time while a busy stream gets
 * large batches for free: everything produced by one turn's I/O callbacks travels together.
 */
export class MicroBatcher<T> {
  private items: T[] = [];
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly sink: (items: T[]) => void;

  constructor(options: MicroBatcherOptions<T>) {
    this.maxBatch = options.maxBatch ?? 1024;
    if (!(this.maxBatch >= 1)) throw new RangeError('maxBatch must be at least 1');
    this.sink = options.flush;
  }

  get pending(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.maxBatch) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTurnEnd);
    }
  }

  /** Sends whatever is queued now. */
  flush(): void {
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    this.sink(batch);
  }

  /** Drops queued items and returns them (e.g. to fail them when the stream is gone). */
  drain(): T[] {
    const batch = this.items;
    this.items = [];
    return batch;
  }

  private readonly onTurnEnd = (): void => {
    this.scheduled = false;
    this.flush();
  };
}
