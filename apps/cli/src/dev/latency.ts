/**
 * Latency samples in one growing Float64Array (no per-sample objects). Past `capacity` it keeps a uniform
 * reservoir, so `--loop` runs for hours in bounded memory and percentiles stay representative.
 */
export class LatencyRecorder {
  private samples: Float64Array;
  private size = 0;
  private seen = 0;
  private maxValue = 0;

  constructor(private readonly capacity = 1_000_000) {
    this.samples = new Float64Array(Math.min(4096, capacity));
  }

  get count(): number {
    return this.seen;
  }

  get max(): number {
    return this.maxValue;
  }

  record(ms: number): void {
    this.seen++;
    if (ms > this.maxValue) this.maxValue = ms;
    if (this.size < this.capacity) {
      if (this.size === this.samples.length) {
        const grown = new Float64Array(Math.min(this.capacity, this.samples.length * 2));
        grown.set(this.samples);
        this.samples = grown;
      }
      this.samples[this.size++] = ms;
      return;
    }
    const j = Math.floor(Math.random() * this.seen);
    if (j < this.capacity) this.samples[j] = ms;
  }

  /** Percentiles (0–100) by nearest rank; NaN when there are no samples. */
  percentiles(ps: readonly number[]): number[] {
    if (this.size === 0) return ps.map(() => Number.NaN);
    const sorted = this.samples.slice(0, this.size).sort();
    return ps.map((p) => sorted[Math.min(this.size - 1, Math.max(0, Math.ceil((p / 100) * this.size) - 1))]!);
  }
}
