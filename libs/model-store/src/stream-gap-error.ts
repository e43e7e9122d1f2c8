import { Code, ServingError } from '@modelserving/model-core';

/**
 * A tail was asked for events that the stream no longer keeps (trimmed away). The caller must take a fresh
 * snapshot and tail from its position. OUT_OF_RANGE so it survives a trip over gRPC unambiguously.
 */
export class StreamGapError extends ServingError {
  readonly after: string;

  constructor(after: string, detail: string, options?: { cause?: unknown }) {
    super(
      Code.OUT_OF_RANGE,
      `model stream has no events right after position '${after}' any more (${detail}); take a new snapshot and tail from its position`,
      options,
    );
    this.after = after;
  }
}

export function isStreamGapError(err: unknown): err is ServingError {
  return err instanceof ServingError && err.code === Code.OUT_OF_RANGE;
}
