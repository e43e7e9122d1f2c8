/**
 * gRPC status codes as plain numbers: model-core must not depend on grpc-js, yet its errors map 1:1 onto
 * gRPC statuses at the service edge.
 */
export const Code = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

const CODE_NAMES = Object.fromEntries(Object.entries(Code).map(([k, v]) => [v, k])) as Record<number, string>;

export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `CODE_${code}`;
}

/**
 * The one error type of the project: a message, a gRPC status code and an optional cause. Services turn it
 * into a gRPC status unchanged; anything else becomes INTERNAL.
 */
export class ServingError extends Error {
  override readonly name = 'ServingError';
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static from(err: unknown, fallback: Code = Code.INTERNAL): ServingError {
    if (err instanceof ServingError) return err;
    const code = isCoded(err) ? (err.code as Code) : fallback;
    const message = err instanceof Error ? err.message : String(err);
    return new ServingError(code, message, { cause: err });
  }
}

function isCoded(err: unknown): err is { code: number } {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'number' &&
    (err as { code: number }).code >= 0 &&
    (err as { code: number }).code <= 16
  );
}

export const invalidArgument = (message: string, cause?: unknown) =>
  new ServingError(Code.INVALID_ARGUMENT, message, { cause });
export const notFound = (message: string, cause?: unknown) =>
  new ServingError(Code.NOT_FOUND, message, { cause });
export const failedPrecondition = (message: string, cause?: unknown) =>
  new ServingError(Code.FAILED_PRECONDITION, message, { cause });
export const unavailable = (message: string, cause?: unknown) =>
  new ServingError(Code.UNAVAILABLE, message, { cause });
