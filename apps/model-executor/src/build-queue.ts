/**
 * The priority of one queued build, shared between whoever asked for it and the queue: while the build
 * waits in the normal lane the queue sets `promote`, which moves it to the urgent lane (requests started
 * waiting for its model).
 */
export interface BuildPriority {
  urgent: boolean;
  promote?: (() => void) | undefined;
}

interface NormalEntry {
  readonly start: () => void;
  /** Started through promote() already. */
  taken: boolean;
}

/**
 * Runs model builds (fetch + parse) with bounded concurrency, off the hot path: each build starts in its
 * own event-loop turn (setImmediate), so deploying thousands of models at once interleaves with scoring
 * instead of parsing them all in one long microtask chain. Urgent builds (items are waiting for the
 * model) go before the backlog, and a backlog build can be promoted to urgent while it waits: a restarted
 * executor with 100k models to build builds first the ones requests are waiting for.
 */
export class BuildQueue {
  private running = 0;
  private readonly urgent: (() => void)[] = [];
  private normal: NormalEntry[] = [];
  private normalHead = 0;
  private promoted = 0;

  constructor(private readonly concurrency: number) {}

  get pending(): number {
    return this.urgent.length + this.normal.length - this.normalHead - this.promoted;
  }

  get active(): number {
    return this.running;
  }

  /** `priority`: true for urgent, or a handle whose `promote` moves the build up while it waits. */
  run<T>(task: () => Promise<T>, priority: boolean | BuildPriority = false): Promise<T> {
    const handle = typeof priority === 'boolean' ? undefined : priority;
    const urgent = typeof priority === 'boolean' ? priority : priority.urgent;
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        if (handle) handle.promote = undefined;
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
      else {
        const entry: NormalEntry = { start, taken: false };
        this.normal.push(entry);
        if (handle) {
          handle.promote = () => {
            handle.promote = undefined;
            if (entry.taken) return;
            entry.taken = true;
            this.promoted++;
            this.urgent.push(start);
          };
        }
      }
    });
  }

  private readonly done = (): void => {
    this.running--;
    const next = this.urgent.shift() ?? this.takeNormal();
    next?.();
  };

  private takeNormal(): (() => void) | undefined {
    while (this.normalHead < this.normal.length) {
      const entry = this.normal[this.normalHead++] as NormalEntry;
      // Compact now and then instead of shift(): the backlog can hold 100k builds.
      if (this.normalHead > 1024 && this.normalHead * 2 > this.normal.length) {
        this.normal = this.normal.slice(this.normalHead);
        this.normalHead = 0;
      }
      if (entry.taken) {
        this.promoted--;
        continue;
      }
      entry.taken = true;
      return entry.start;
    }
    return undefined;
  }
}
