import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';

// The SDK and the gRPC instrumentation are loaded only when tracing is asked for: together they are
// several MB of heap that every full GC would otherwise have to mark in a process that never traces.
import type * as GrpcInstrumentationModule from '@opentelemetry/instrumentation-grpc';
import type * as SdkModule from '@opentelemetry/sdk-node';

export interface TelemetryOptions {
  readonly serviceName: string;
  /**
   * gRPC methods left to our own per-request spans: long-lived batched streams would otherwise show up as
   * one span lasting the whole connection.
   */
  readonly ignoreGrpcMethods?: readonly string[];
}

export interface Telemetry {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

const STREAM_METHODS = ['Score', 'Decide', 'Collect', 'Tail', 'PredictStream', 'Check', 'Watch'];

/** True when the standard OTEL_* variables ask for trace export. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['OTEL_SDK_DISABLED'] === 'true') return false;
  const exporter = env['OTEL_TRACES_EXPORTER'];
  if (exporter === 'none') return false;
  return Boolean(exporter || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

/**
 * Starts the OpenTelemetry SDK. Call it first in every main.ts, before grpc-js is loaded, so the gRPC
 * instrumentation can patch it; stop it last. Export is configured by the standard OTEL_* variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME, ...). With none of them set,
 * tracing stays off and costs nothing on the hot path.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (!tracingRequested()) return { enabled: false, shutdown: async () => {} };
  if (process.env['OTEL_LOG_LEVEL'] === 'debug') diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.DEBUG);
  const ignored = options.ignoreGrpcMethods ?? STREAM_METHODS;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded lazily on purpose, see the imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkModule;
  const { GrpcInstrumentation } =
    require('@opentelemetry/instrumentation-grpc') as typeof GrpcInstrumentationModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const sdk = new NodeSDK({
    serviceName: process.env['OTEL_SERVICE_NAME'] ?? options.serviceName,
    instrumentations: [new GrpcInstrumentation({ ignoreGrpcMethods: [...ignored] })],
  });
  sdk.start();
  return {
    enabled: true,
    shutdown: async () => {
      try {
        await sdk.shutdown();
      } catch {
        // Export failures at exit must not turn a clean stop into a crash.
      }
    },
  };
}
