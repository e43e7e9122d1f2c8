/** Something with a deadline that a DeadlineQueue can hold. */
export interface Deadlined {
  /** Monotonic milliseconds (performance.now() scale). */
  deadline: number;
  /** Position in the queue, -1 when not queued; owned by the queue. */
  heapIndex: number;
}

/** Deadlines within this much of now expire together, so a timer that fires a hair early does not re-arm. */
const SLACK_MS = 1;

/**
 * Deadlines of every pending request in one indexed binary min-heap, driven by a single setTimeout armed
 * for the earliest one. Adding and removing are O(log n) without a timer per request, and requests that
 * are decided early are removed at once, so the heap only ever holds requests that are still waiting.
 */
export class DeadlineQueue<T extends Deadlined> {
  private readonly heap: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(
    private readonly onExpire: (item: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get size(): number {
    return this.heap.length;
  }

  add(item: T): void {
    const heap = this.heap;
    item.heapIndex = heap.length;
    heap.push(item);
    this.up(item.heapIndex);
    if (item.deadline < this.armedFor) this.arm();
  }

  /** Takes an item out (decided before its deadline); a no-op when it is not queued. */
  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const heap = this.heap;
    const last = heap.pop()!;
    item.heapIndex = -1;
    if (last !== item) {
      heap[i] = last;
      last.heapIndex = i;
      this.down(i);
      this.up(last.heapIndex);
    }
    // The timer stays armed for the old head: firing once for nothing is cheaper than re-arming on
    // every early decision.
  }

  /** Removes and returns everything queued, earliest first, and stops the timer. */
  clear(): T[] {
    const out: T[] = [];
    while (this.heap.length > 0) out.push(this.pop());
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    return out;
  }

  private pop(): T {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    top.heapIndex = -1;
    if (last !== top) {
      heap[0] = last;
      last.heapIndex = 0;
      this.down(0);
    }
    return top;
  }

  private arm(): void {
    clearTimeout(this.timer);
    const head = this.heap[0];
    if (head === undefined) {
      this.timer = undefined;
      this.armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    this.armedFor = head.deadline;
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(head.deadline - this.now())));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const limit = this.now() + SLACK_MS;
    while (this.heap.length > 0 && this.heap[0]!.deadline <= limit) this.onExpire(this.pop());
    if (this.timer === undefined) this.arm();
  };

  private up(i: number): void {
    const heap = this.heap;
    const item = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (parent.deadline <= item.deadline) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    heap[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && heap[r]!.deadline < heap[l]!.deadline) c = r;
      const child = heap[c]!;
      if (child.deadline >= item.deadline) break;
      heap[i] = child;
      child.heapIndex = i;
      i = c;
    }
    heap[i] = item;
    item.heapIndex = i;
  }
}
