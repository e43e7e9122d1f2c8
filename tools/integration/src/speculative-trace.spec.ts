import { InMemoryTelemetry } from '@modelserving/telemetry';
import { regressionPmml } from '@modelserving/testing';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessCluster, type InProcessCluster } from './in-process-cluster';

describe('tracing across the speculative path', () => {
  let telemetry: InMemoryTelemetry;
  let cluster: InProcessCluster;

  beforeAll(async () => {
    telemetry = InMemoryTelemetry.install();
    cluster = await startInProcessCluster({ executors: 2, joinMode: 'key' });
    await cluster.deploy('a', 'trace', regressionPmml({ intercept: 1, coefficients: { x: 2 } }));
    await cluster.deploy('b', 'trace', regressionPmml({ intercept: 1, coefficients: { x: 2 } }));
  });
  afterAll(async () => {
    await cluster?.stop();
    await telemetry?.uninstall();
  });

  it('one Predict yields one trace: router → executor per model → collector, correctly parented', async () => {
    telemetry.reset();
    const res = await cluster.predict({
      dataType: 'trace',
      data: { features: { x: { number: 3 } }, tensors: [] },
    });
    expect(res.result?.error).toBe('');
    expect(res.result?.value?.number).toBe(7);
    // The collector ends its span as it sends the decision; give the exporter a moment.
    await new Promise((r) => setTimeout(r, 100));

    const spans = telemetry.spans();
    const byName = (n: string) => spans.filter((s) => s.name === n);
    const route = byName('router.route');
    expect(route).toHaveLength(1);
    const root = route[0]!;
    const traceId = root.spanContext().traceId;
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);

    const scores = byName('executor.score').filter((s) => s.spanContext().traceId === traceId);
    expect(scores).toHaveLength(2);
    const decide = byName('collector.decide').filter((s) => s.spanContext().traceId === traceId);
    expect(decide).toHaveLength(1);

    const ancestors = (s: ReadableSpan): string[] => {
      const out: string[] = [];
      let parent = s.parentSpanContext?.spanId;
      while (parent) {
        out.push(parent);
        parent = inTrace.find((x) => x.spanContext().spanId === parent)?.parentSpanContext?.spanId;
      }
      return out;
    };
    for (const s of [...scores, ...decide]) expect(ancestors(s)).toContain(root.spanContext().spanId);
    // Both models were scored, each under its own span, and the spans name the model keys.
    const keys = scores
      .map((s) => String(s.attributes['model.key'] ?? s.attributes['modelserving.model_key'] ?? ''))
      .sort();
    expect(keys.join(',')).toMatch(/trace\/a.*trace\/b/);
  });
});
