import { Code } from '@modelserving/model-core';
import { InMemoryTelemetry, injectTraceContext, tracer } from '@modelserving/telemetry';
import { SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type CollectorHandle } from './index';
import {
  collectorClient,
  expectItem,
  failed,
  item,
  ok,
  TestExecutor,
  TestRouter,
  waitUntil,
} from './test-support/collector-clients';

describe('collector.decide spans', () => {
  let telemetry: InMemoryTelemetry;
  let collector: CollectorHandle;
  let client: ReturnType<typeof collectorClient>;

  beforeAll(async () => {
    telemetry = InMemoryTelemetry.install();
    collector = await startCollector({ host: '127.0.0.1', port: 0, logLevel: 'silent' });
    client = collectorClient(collector.address);
  });
  afterAll(async () => {
    client.close();
    await collector.stop();
    await telemetry.uninstall();
  });

  const decideSpan = (guid: string) =>
    telemetry.spans().find((s) => s.name === 'collector.decide' && s.attributes['guid'] === guid);

  it('parents the decide span on the trace context carried by the ExpectItem', async () => {
    const root = tracer().startSpan('router.route');
    const trace = injectTraceContext(root)!;
    expect(trace.traceparent).toBeTruthy();
    const router = new TestRouter(client);
    const exec = new TestExecutor(client);
    router.send([expectItem({ guid: 't1', models: 3, decider: 'majority', trace })]);
    exec.send(
      item('t1', ok('wine/a', 6), trace),
      item('t1', failed('wine/b', Code.INTERNAL, 'boom'), trace),
      item('t1', ok('wine/c', 6), trace),
    );
    await router.decision('t1');
    root.end();
    await waitUntil(() => decideSpan('t1') !== undefined, 2_000, 'decide span');
    const span = decideSpan('t1')!;
    expect(span.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(span.attributes).toMatchObject({
      decider: 'majority',
      models: 3,
      answered: 3,
      timedOut: false,
      dataType: 'wine',
    });
    expect(span.events.map((e) => e.attributes?.['model'])).toEqual(['wine/a', 'wine/b', 'wine/c']);
    expect(span.events.map((e) => e.attributes?.['ok'])).toEqual([true, false, true]);
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
    await exec.end();
    router.cancel();
  });

  it('ends the span at a deadline decision, marked timed out and failed', async () => {
    const root = tracer().startSpan('router.route');
    const router = new TestRouter(client);
    router.send([expectItem({ guid: 't2', models: 2, timeoutMs: 50, trace: injectTraceContext(root)! })]);
    const d = await router.decision('t2');
    root.end();
    expect(d.response!.result!.errorCode).toBe(Code.DEADLINE_EXCEEDED);
    await waitUntil(() => decideSpan('t2') !== undefined, 2_000, 'decide span');
    const span = decideSpan('t2')!;
    expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(span.attributes).toMatchObject({ answered: 0, timedOut: true });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toMatch(/no model answered data type wine within 50 ms/);
    router.cancel();
  });

  it('records a rejected expectation as a failed span in the caller trace', async () => {
    const root = tracer().startSpan('router.route');
    const router = new TestRouter(client);
    router.send([expectItem({ guid: 't3', models: 2, decider: 'nope', trace: injectTraceContext(root)! })]);
    await router.decision('t3');
    root.end();
    await waitUntil(() => decideSpan('t3') !== undefined, 2_000, 'decide span');
    const span = decideSpan('t3')!;
    expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(span.status.message).toMatch(/unknown decider 'nope'/);
    router.cancel();
  });
});
