import { Code, codeName, ServingError } from '@modelserving/model-core';
import { fromGrpcError } from '@modelserving/transport';

/**
 * A mistake on the command line. It is a ServingError (INVALID_ARGUMENT) so every error the CLI prints has
 * the same `error: <CODE>: <message>` shape, but it exits with 2 so scripts can tell usage from failure.
 */
export class UsageError extends ServingError {
  constructor(message: string) {
    super(Code.INVALID_ARGUMENT, message);
  }
}

/** Exit codes: 0 ok, 1 the operation failed, 2 bad command line, 130 forced stop. */
export const EXIT = { ok: 0, failed: 1, usage: 2, forced: 130 } as const;

/** gRPC failures keep their status; anything else that escaped is INTERNAL. */
export function toServingError(err: unknown): ServingError {
  if (err instanceof ServingError) return err;
  if (typeof (err as { code?: unknown } | null)?.code === 'number') return fromGrpcError(err);
  return ServingError.from(err, Code.INTERNAL);
}

/** The one line printed for an error: `error: <gRPC code name>: <message>`. */
export function formatError(err: unknown): string {
  const e = toServingError(err);
  return `error: ${codeName(e.code)}: ${e.message}`;
}

export function exitCodeFor(err: unknown): number {
  return err instanceof UsageError ? EXIT.usage : EXIT.failed;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
