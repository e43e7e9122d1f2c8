/**
 * Runs model builds (fetch + parse) with bounded concurrency, off the hot path: each build starts in its
 * own event-loop turn (setImmediate), so deploying thousands of models at once interleaves with scoring
 * instead of parsing them all in one long microtask chain. Urgent builds (items are waiting for the
 * model) go before the backlog.
 */
export class BuildQueue {
  private running = 0;
  private readonly urgent: (() => void)[] = [];
  private readonly normal: (() => void)[] = [];
  private normalHead = 0;

  constructor(private readonly concurrency: number) {}

  get pending(): number {
    return this.urgent.length + this.normal.length - this.normalHead;
  }

  get active(): number {
    return this.running;
  }

  run<T>(task: () => Promise<T>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running++;
        setImmediate(() => {
          let p: Promise<T>;
          try {
            p = task();
          } catch (err) {
            p = Promise.reject(err);
          }
          p.then(resolve, reject).finally(this.done);
        });
      };
      if (this.running < this.concurrency) start();
      else if (urgent) this.urgent.push(start);
      else this.normal.push(start);
    });
  }

  private readonly done = (): void => {
    this.running--;
    const next = this.urgent.shift() ?? this.takeNormal();
    next?.();
  };

  private takeNormal(): (() => void) | undefined {
    if (this.normalHead >= this.normal.length) return undefined;
    const next = this.normal[this.normalHead++];
    // Compact now and then instead of shift(): the backlog can hold 100k builds.
    if (this.normalHead > 1024 && this.normalHead * 2 > this.normal.length) {
      this.normal.splice(0, this.normalHead);
      this.normalHead = 0;
    }
    return next;
  }
}
