/**
 * A bounded set of recently decided guids: results that come in after their decision are dropped at once
 * instead of being held as orphans. Two generations of Sets: when the current one is full it becomes
 * the previous one and the old previous one is dropped whole. That is O(1) per add and avoids evicting
 * one key at a time from the front of a Set, which V8 makes slow (deleted slots pile up at the front and
 * every `values().next()` walks over them). Holds at most `capacity` keys and at least the last half.
 */
export class RecentSet {
  private current = new Set<string>();
  private previous = new Set<string>();
  private readonly generation: number;

  constructor(capacity: number) {
    this.generation = Math.ceil(capacity / 2);
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  has(key: string): boolean {
    return this.current.has(key) || this.previous.has(key);
  }

  add(key: string): void {
    if (this.generation === 0) return;
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Set<string>();
    }
    this.current.add(key);
  }

  delete(key: string): void {
    this.current.delete(key);
    this.previous.delete(key);
  }

  clear(): void {
    this.current.clear();
    this.previous.clear();
  }
}
