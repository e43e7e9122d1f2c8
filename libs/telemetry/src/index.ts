export { startTelemetry, tracingRequested, type Telemetry, type TelemetryOptions } from './start-telemetry';
export { injectTraceContext, extractTraceContext, type TraceCarrier } from './trace-context';
export { InMemoryTelemetry } from './in-memory-telemetry';
export { tracer } from './tracer';
