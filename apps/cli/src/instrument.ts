import { startTelemetry } from '@modelserving/telemetry';

// Loaded first by main.ts, before grpc-js, so the gRPC instrumentation can patch it. Tracing stays off
// unless the standard OTEL_* variables ask for it; then the CLI's calls start the traces.
export const telemetry = startTelemetry({ serviceName: 'modelserving-cli' });
