import { Metadata, type status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { Code, ServingError } from '@modelserving/model-core';

/** A gRPC status for any error: ServingErrors keep their code, anything else is INTERNAL. */
export function toGrpcStatus(err: unknown): Partial<StatusObject> & { code: status; details: string } {
  const e = ServingError.from(err, Code.INTERNAL);
  return { code: e.code as unknown as status, details: e.message, metadata: new Metadata() };
}

/** A ServiceError for callbacks and `call.destroy()`/`emit('error')`. */
export function toServiceError(err: unknown): ServiceError {
  const s = toGrpcStatus(err);
  const e = new Error(s.details) as ServiceError;
  e.code = s.code;
  e.details = s.details;
  e.metadata = s.metadata ?? new Metadata();
  return e;
}

/** The ServingError behind a failed client call, keeping its code and message. */
export function fromGrpcError(err: unknown): ServingError {
  if (err instanceof ServingError) return err;
  const se = err as Partial<ServiceError>;
  if (typeof se.code === 'number') {
    return new ServingError(se.code as unknown as Code, se.details || se.message || 'gRPC call failed', {
      cause: err,
    });
  }
  return ServingError.from(err, Code.UNAVAILABLE);
}

/** Wraps a unary handler so every thrown error or rejection becomes a proper gRPC status. */
export function unary<Req, Res>(
  handler: (
    request: Req,
    call: { metadata: Metadata; getDeadline(): Date | number; cancelled?: boolean },
  ) => Promise<Res> | Res,
) {
  return (
    call: { request: Req; metadata: Metadata; getDeadline(): Date | number },
    callback: (e: ServiceError | null, r?: Res) => void,
  ) => {
    let result: Promise<Res>;
    try {
      result = Promise.resolve(handler(call.request, call));
    } catch (err) {
      callback(toServiceError(err));
      return;
    }
    result.then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(err)),
    );
  };
}
