import type { SpeculativeExecutionStats } from '@modelserving/contracts';

/** Mutable per-data-type accumulator behind one SpeculativeExecutionStats. */
class DataTypeStats {
  decider = '';
  tmout = 0;
  usage = 0;
  duration = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  timeouts = 0;

  constructor(
    readonly name: string,
    readonly since: number,
  ) {}

  snapshot(): SpeculativeExecutionStats {
    return {
      name: this.name,
      decider: this.decider,
      tmout: this.tmout,
      since: this.since,
      usage: this.usage,
      duration: this.duration,
      min: this.usage === 0 ? 0 : this.min,
      max: this.max,
      timeouts: this.timeouts,
    };
  }
}

/**
 * The seed's SpeculativeExecutionStats per data type: decisions taken (usage), time from expectation to
 * decision (duration total, min, max; ms), decisions taken at the deadline with results missing
 * (timeouts), and the decider and timeout last used.
 */
export class SpeculativeStats {
  private readonly byType = new Map<string, DataTypeStats>();

  constructor(private readonly clock: () => number = Date.now) {}

  record(dataType: string, decider: string, timeoutMs: number, durationMs: number, timedOut: boolean): void {
    let s = this.byType.get(dataType);
    if (s === undefined) {
      s = new DataTypeStats(dataType, this.clock());
      this.byType.set(dataType, s);
    }
    s.decider = decider;
    s.tmout = timeoutMs;
    s.usage++;
    s.duration += durationMs;
    if (durationMs < s.min) s.min = durationMs;
    if (durationMs > s.max) s.max = durationMs;
    if (timedOut) s.timeouts++;
  }

  /** One data type's stats, or all of them (sorted by name) when `dataType` is empty. */
  get(dataType = ''): SpeculativeExecutionStats[] {
    if (dataType) {
      const s = this.byType.get(dataType);
      return s ? [s.snapshot()] : [];
    }
    return [...this.byType.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((s) => s.snapshot());
  }
}
