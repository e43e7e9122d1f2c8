import { trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { tracer } from '@modelserving/telemetry';

let provider: TracerProvider | undefined;
let cached: Tracer | undefined;

/**
 * The project's tracer, cached while the global tracer provider stays the same. Without an SDK the API
 * hands out a fresh proxy tracer on every call, and this runs once per request; a provider installed
 * later (tests) replaces the global one and is picked up on the next call.
 */
export function decideTracer(): Tracer {
  const current = trace.getTracerProvider();
  if (current !== provider || cached === undefined) {
    provider = current;
    cached = tracer();
  }
  return cached;
}
