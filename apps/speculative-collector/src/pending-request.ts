import type { ServingResponse, ServingResult } from '@modelserving/contracts';
import type { Span } from '@opentelemetry/api';
import type { Deadlined } from './deadline-queue';
import type { Decider } from './decider';

/** The router stream an expectation came from: its decision goes back there. */
export interface DecisionTarget {
  /** Requests of this stream not decided yet. */
  inFlight: number;
  send(guid: string, response: ServingResponse): void;
}

/** One speculative request waiting for its results. */
export class PendingRequest implements Deadlined {
  heapIndex = -1;
  done = false;
  /** Results in arrival order. */
  readonly results: ServingResult[] = [];

  constructor(
    readonly guid: string,
    readonly dataType: string,
    /** How many results to wait for. */
    readonly expected: number,
    readonly timeoutMs: number,
    readonly decider: Decider,
    readonly target: DecisionTarget,
    /** performance.now() when the expectation arrived. */
    readonly startedAt: number,
    public deadline: number,
    /** Only set when the span records: untraced requests pay nothing per result. */
    readonly span: Span | undefined,
  ) {}

  /** True when a result of this model key is already counted (a result reported twice). */
  hasModel(model: string): boolean {
    const results = this.results;
    for (let i = 0; i < results.length; i++) if (results[i]!.model === model) return true;
    return false;
  }
}
