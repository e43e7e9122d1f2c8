import { context, propagation, trace } from '@opentelemetry/api';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

// Loaded on install() only, so importing this library does not pull the SDK into production processes.
import type * as ContextHooks from '@opentelemetry/context-async-hooks';
import type * as Core from '@opentelemetry/core';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type * as TraceNode from '@opentelemetry/sdk-trace-node';
/* eslint-disable @typescript-eslint/no-require-imports -- the SDK is required lazily on purpose */

/**
 * Test double: a global tracer provider whose spans land in memory, so tests can assert on traces. Only
 * one may be installed at a time; `uninstall()` restores the no-op globals.
 */
export class InMemoryTelemetry {
  readonly exporter: InMemorySpanExporter;
  private readonly provider: NodeTracerProvider;

  private constructor() {
    const { InMemorySpanExporter: Exporter, SimpleSpanProcessor } =
      require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
    const { NodeTracerProvider: Provider } = require('@opentelemetry/sdk-trace-node') as typeof TraceNode;
    this.exporter = new Exporter();
    this.provider = new Provider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] });
  }

  static install(): InMemoryTelemetry {
    const t = new InMemoryTelemetry();
    trace.disable();
    context.disable();
    propagation.disable();
    const { AsyncLocalStorageContextManager } =
      require('@opentelemetry/context-async-hooks') as typeof ContextHooks;
    const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof Core;
    const cm = new AsyncLocalStorageContextManager();
    cm.enable();
    context.setGlobalContextManager(cm);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(t.provider);
    return t;
  }

  spans(): ReadableSpan[] {
    return this.exporter.getFinishedSpans();
  }

  reset(): void {
    this.exporter.reset();
  }

  async uninstall(): Promise<void> {
    await this.provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  }
}
