import type { ServingResult } from '@modelserving/contracts';

interface OrphanEntry {
  readonly expiresAt: number;
  readonly results: ServingResult[];
}

export interface OrphanBufferOptions {
  readonly ttlMs: number;
  /** Most results held at once; the oldest guids are dropped beyond it. */
  readonly maxResults: number;
  /** Called with the number of results dropped (expired or evicted), for counters. */
  readonly onExpired?: (count: number) => void;
  readonly onEvicted?: (count: number) => void;
  readonly now?: () => number;
}

/**
 * Results that arrived before their expectation (executors and routers reach the collector on different
 * connections), held per guid for a short TTL. The TTL is the same for every entry, so the Map's
 * insertion order is also expiry order: expiring is a walk from the front that stops at the first live
 * entry, and no per-entry timer is needed.
 */
export class OrphanBuffer {
  private readonly entries = new Map<string, OrphanEntry>();
  private held = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly ttlMs: number;
  private readonly maxResults: number;
  private readonly now: () => number;

  constructor(private readonly options: OrphanBufferOptions) {
    this.ttlMs = options.ttlMs;
    this.maxResults = options.maxResults;
    this.now = options.now ?? (() => performance.now());
  }

  /** Results held right now. */
  get size(): number {
    return this.held;
  }

  /** Guids with held results. */
  get guids(): number {
    return this.entries.size;
  }

  add(guid: string, result: ServingResult): void {
    if (this.maxResults === 0) {
      this.options.onEvicted?.(1);
      return;
    }
    const entry = this.entries.get(guid);
    if (entry === undefined)
      this.entries.set(guid, { expiresAt: this.now() + this.ttlMs, results: [result] });
    else entry.results.push(result);
    this.held++;
    if (this.held > this.maxResults) this.evictOldest();
    if (this.sweeper === undefined) {
      // Expired entries are freed by this sweep only (take() never applies an expired one): each walk from
      // the front of the Map passes over the slots of deleted entries, so it must not run per result.
      // unref: it never holds the process open.
      this.sweeper = setInterval(
        () => this.expire(this.now()),
        Math.max(10, Math.min(1_000, this.ttlMs / 4)),
      );
      this.sweeper.unref();
    }
  }

  /** Removes and returns what is held for `guid` (in arrival order), if anything. */
  take(guid: string): ServingResult[] | undefined {
    if (this.held === 0) return undefined;
    const entry = this.entries.get(guid);
    if (entry === undefined) return undefined;
    this.entries.delete(guid);
    this.held -= entry.results.length;
    if (entry.expiresAt <= this.now()) {
      // Past its TTL but not swept yet: it counts as expired, exactly as if the sweep had come first.
      this.options.onExpired?.(entry.results.length);
      this.stopSweeperIfEmpty();
      return undefined;
    }
    this.stopSweeperIfEmpty();
    return entry.results;
  }

  /** Drops what is held for `guid` (its request was decided or rejected). */
  discard(guid: string): number {
    const entry = this.entries.get(guid);
    if (entry === undefined) return 0;
    this.entries.delete(guid);
    this.held -= entry.results.length;
    this.stopSweeperIfEmpty();
    return entry.results.length;
  }

  /** Drops expired entries. */
  expire(now: number = this.now()): void {
    if (this.entries.size === 0) return;
    let dropped = 0;
    for (const [guid, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      this.entries.delete(guid);
      this.held -= entry.results.length;
      dropped += entry.results.length;
    }
    if (dropped > 0) this.options.onExpired?.(dropped);
    this.stopSweeperIfEmpty();
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.entries.clear();
    this.held = 0;
  }

  private evictOldest(): void {
    // Down to 90% in one walk, so a full buffer under pressure walks once per many results, not per result.
    const target = Math.floor(this.maxResults * 0.9);
    let dropped = 0;
    for (const [guid, entry] of this.entries) {
      if (this.held <= target) break;
      this.entries.delete(guid);
      this.held -= entry.results.length;
      dropped += entry.results.length;
    }
    if (dropped > 0) this.options.onEvicted?.(dropped);
  }

  private stopSweeperIfEmpty(): void {
    if (this.entries.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
