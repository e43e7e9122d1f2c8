import type { ServingResult as ProtoResult } from '@modelserving/contracts';
import { Code, ServingError, type ScoreOutput } from '@modelserving/model-core';
import { featuresToProto, tensorToProto, valueToProto } from '@modelserving/transport';

// ServingResult messages are built straight from model output (no intermediate core ServingResult):
// this runs once per record on the hot path.

const NO_OUTPUTS: { [key: string]: never } = Object.freeze({}) as { [key: string]: never };
const NO_TENSORS: never[] = [];

export function okResult(model: string, source: string, out: ScoreOutput, duration: number): ProtoResult {
  const r: ProtoResult = {
    processed: true,
    model,
    source,
    value: out.value === undefined ? undefined : valueToProto(out.value),
    outputs: out.outputs ? featuresToProto(out.outputs) : NO_OUTPUTS,
    tensors: out.tensors ? out.tensors.map(tensorToProto) : NO_TENSORS,
    error: '',
    errorCode: 0,
    duration,
  };
  if (out.confidence !== undefined) r.confidence = out.confidence;
  return r;
}

/** `processed` is true when a model was there and rejected the record, false when no model scored it. */
export function errorResult(
  model: string,
  source: string,
  err: ServingError,
  processed: boolean,
  duration = 0,
): ProtoResult {
  return {
    processed,
    model,
    source,
    value: undefined,
    outputs: NO_OUTPUTS,
    tensors: NO_TENSORS,
    error: err.message || 'scoring failed',
    errorCode: err.code === Code.OK ? Code.UNKNOWN : err.code,
    duration,
  };
}

/** A scoring failure as a ServingError; plain errors thrown by a model count as INTERNAL. */
export function servingError(err: unknown): ServingError {
  return ServingError.from(err, Code.INTERNAL);
}
