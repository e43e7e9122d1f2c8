import { trace, type Tracer } from '@opentelemetry/api';

/** The project's tracer; resolved per call so a provider installed later (tests) is picked up. */
export function tracer(): Tracer {
  return trace.getTracer('modelserving');
}
