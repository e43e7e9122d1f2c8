import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryTelemetry } from './in-memory-telemetry';
import { extractTraceContext, injectTraceContext } from './trace-context';
import { tracer } from './tracer';

describe('trace context in batch items', () => {
  let t: InMemoryTelemetry;
  beforeAll(() => {
    t = InMemoryTelemetry.install();
  });
  afterAll(async () => t.uninstall());

  it('carries a span context across a hop and parents the remote span on it', () => {
    const root = tracer().startSpan('router.route');
    const carrier = injectTraceContext(root);
    expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    // "Remote" side: a fresh root context, parent taken from the carrier only.
    const child = tracer().startSpan('executor.score', {}, extractTraceContext(carrier, context.active()));
    child.end();
    root.end();
    const spans = t.spans();
    const c = spans.find((s) => s.name === 'executor.score')!;
    const r = spans.find((s) => s.name === 'router.route')!;
    expect(c.spanContext().traceId).toBe(r.spanContext().traceId);
    expect(c.parentSpanContext?.spanId).toBe(r.spanContext().spanId);
  });

  it('injects nothing when there is no active span', () => {
    expect(injectTraceContext(undefined, context.active())).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext(undefined))).toBeUndefined();
  });
});
