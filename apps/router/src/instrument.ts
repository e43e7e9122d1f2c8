// Loaded first by main.ts: the OpenTelemetry SDK must patch grpc-js before anything requires it.
import { startTelemetry } from '@modelserving/telemetry';

export const telemetry = startTelemetry({ serviceName: 'router' });
