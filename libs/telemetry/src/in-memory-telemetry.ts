import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * Test double: a global tracer provider whose spans land in memory, so tests can assert on traces. Only
 * one may be installed at a time; `uninstall()` restores the no-op globals.
 */
export class InMemoryTelemetry {
  readonly exporter = new InMemorySpanExporter();
  private readonly provider: NodeTracerProvider;

  private constructor() {
    this.provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.exporter)] });
  }

  static install(): InMemoryTelemetry {
    const t = new InMemoryTelemetry();
    trace.disable();
    context.disable();
    propagation.disable();
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
