import type { FeatureValue, Tensor } from './data';

/** The seed's ServingResult: what scoring one record with one model produced. */
export interface ServingResult {
  /** False when no model was there to score the record (the seed's "not processed"). */
  readonly processed: boolean;
  /** Model key that produced the result. */
  readonly model: string;
  /** Where it was scored (executor id), for tracing and stats. */
  readonly source: string;
  readonly value?: FeatureValue;
  readonly outputs?: Readonly<Record<string, FeatureValue>>;
  readonly tensors?: readonly Tensor[];
  readonly confidence?: number;
  /** Set when scoring failed; `errorCode` is a gRPC status code. */
  readonly error?: string;
  readonly errorCode?: number;
  /** Scoring time, ms. */
  readonly duration: number;
}

export interface ServingQualifier {
  readonly key: string;
  readonly value: string;
}

/** The seed's ServingResponse: the answer to one ServingRequest. */
export interface ServingResponse {
  readonly guid: string;
  readonly result: ServingResult;
  readonly confidence?: number;
  readonly qualifiers: readonly ServingQualifier[];
}
