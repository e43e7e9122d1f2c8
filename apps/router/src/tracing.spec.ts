import type { ServingResponse } from '@modelserving/contracts';
import { InMemoryTelemetry } from '@modelserving/telemetry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deploy, record, servingRequest } from './test-support/clients';
import { startTopology, type TestTopology } from './test-support/topology';

let telemetry: InMemoryTelemetry;
let topo: TestTopology;

beforeAll(async () => {
  telemetry = InMemoryTelemetry.install();
  topo = await startTopology({ executors: 1, collector: true });
  await deploy(topo.client, 'wine', 'm1');
  await deploy(topo.client, 'iris', 'a');
  await deploy(topo.client, 'iris', 'b');
});
afterAll(async () => {
  await topo?.stop();
  await telemetry?.uninstall();
});

describe('tracing', () => {
  it('records a router.route span per request and carries its context in the ScoreItem', async () => {
    telemetry.reset();
    await call<ServingResponse>(
      topo.client,
      'predict',
      servingRequest({ guid: 't1', dataType: 'wine', data: record({ x: 1 }) }),
    );
    const span = telemetry.spans().find((s) => s.name === 'router.route');
    expect(span).toBeDefined();
    const item = topo.executors[0]!.received.at(-1)!;
    expect(item.trace?.traceparent).toContain(span!.spanContext().traceId);
    expect(item.trace?.traceparent).toContain(span!.spanContext().spanId);
  });

  it('carries the context in the collector expectation and every speculative item', async () => {
    telemetry.reset();
    await call<ServingResponse>(
      topo.client,
      'predict',
      servingRequest({ guid: 't2', dataType: 'iris', data: record({ x: 1 }) }),
    );
    const span = telemetry.spans().find((s) => s.name === 'router.route')!;
    const traceId = span.spanContext().traceId;
    expect(topo.collector!.expects.find((e) => e.guid === 't2')!.trace?.traceparent).toContain(traceId);
    const items = topo.executors[0]!.received.filter((i) => i.guid === 't2');
    expect(items).toHaveLength(2);
    for (const i of items) expect(i.trace?.traceparent).toContain(traceId);
  });

  it('marks failed requests as errors', async () => {
    telemetry.reset();
    await call(topo.client, 'predict', servingRequest({ dataType: 'nope', data: record({ x: 1 }) })).catch(
      () => undefined,
    );
    const span = telemetry.spans().find((s) => s.name === 'router.route')!;
    expect(span.status.code).toBe(2);
    expect(span.status.message).toContain('NOT_FOUND');
  });
});
