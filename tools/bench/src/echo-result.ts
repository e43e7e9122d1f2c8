import { ServingResult } from '@modelserving/contracts';
import type { RawResult } from '@modelserving/router/internal/wire-codec';

/** The one result every echo answers with, encoded once (what an executor would send back). */
export const ECHO_RESULT: ServingResult = {
  processed: true,
  model: 'wine/echo',
  source: 'echo',
  value: { number: 1 },
  outputs: {},
  tensors: [],
  error: '',
  errorCode: 0,
  duration: 0,
};
export const ECHO_RESULT_BYTES = Buffer.from(ServingResult.encode(ECHO_RESULT).finish());

/**
 * The echo result as the router's pass-through codec holds an executor's answer: bytes in a buffer, the
 * few scanned fields beside them. The router's serializer copies these bytes into the response, as it
 * copies a real executor's.
 */
export function echoRaw(): RawResult {
  return {
    id: 0,
    present: true,
    buf: ECHO_RESULT_BYTES,
    start: 0,
    end: ECHO_RESULT_BYTES.length,
    error: '',
    errorCode: 0,
    confidence: undefined,
    decode: () => ServingResult.decode(ECHO_RESULT_BYTES),
  };
}
