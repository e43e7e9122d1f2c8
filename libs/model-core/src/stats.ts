import type { ModelType } from './model-type';

/** The seed's ModelToServeStats: per-model serving statistics. Durations are milliseconds. */
export interface ModelToServeStats {
  readonly name: string;
  readonly description: string;
  readonly modelType: ModelType;
  /** When the model started serving (epoch ms). */
  readonly since: number;
  /** Number of records scored. */
  readonly usage: number;
  /** Total time spent scoring, ms. */
  readonly duration: number;
  readonly min: number;
  readonly max: number;
}

/** Mutable accumulator behind a ModelToServeStats snapshot; cheap enough for the hot path. */
export class StatsAccumulator {
  usage = 0;
  duration = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;

  constructor(
    readonly name: string,
    readonly description: string,
    readonly modelType: ModelType,
    readonly since: number = Date.now(),
  ) {}

  record(ms: number): void {
    this.usage++;
    this.duration += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** Records `count` scorings that took `totalMs` together (batch scoring). */
  recordBatch(count: number, totalMs: number): void {
    if (count <= 0) return;
    const each = totalMs / count;
    this.usage += count;
    this.duration += totalMs;
    if (each < this.min) this.min = each;
    if (each > this.max) this.max = each;
  }

  snapshot(): ModelToServeStats {
    return {
      name: this.name,
      description: this.description,
      modelType: this.modelType,
      since: this.since,
      usage: this.usage,
      duration: this.duration,
      min: this.usage === 0 ? 0 : this.min,
      max: this.max,
    };
  }
}

/** The seed's SpeculativeExecutionStats, per data type. */
export interface SpeculativeExecutionStats {
  readonly name: string;
  readonly decider: string;
  readonly tmout: number;
  readonly since: number;
  readonly usage: number;
  readonly duration: number;
  readonly min: number;
  readonly max: number;
}
