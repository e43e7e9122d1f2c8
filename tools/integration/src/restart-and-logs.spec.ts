import {
  regressionPmml,
  regressionValue,
  startLocalTopology,
  type LocalTopology,
} from '@modelserving/testing';
import type { ListModelsResponse } from '@modelserving/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterCalls, grpcCode } from './router-calls';

const MODELS = [
  { name: 'a1', dataType: 'ta', coef: { intercept: 1, coefficients: { x: 2 } } },
  { name: 'b1', dataType: 'tb', coef: { intercept: -1, coefficients: { x: 0.5 } } },
  { name: 'b2', dataType: 'tb', coef: { intercept: 3, coefficients: { x: -1 } } },
];

function listModels(calls: RouterCalls): Promise<ListModelsResponse> {
  return new Promise((resolve, reject) =>
    calls.native.listModels({ dataType: '' }, (err, res) => (err ? reject(err) : resolve(res!))),
  );
}

function suspend(calls: RouterCalls): Promise<void> {
  return new Promise((resolve, reject) =>
    calls.native.suspendDeployments({}, (err) => (err ? reject(err) : resolve())),
  );
}

/** Every JSON log line a process wrote to stderr/stdout, and the lines that are not JSON log lines. */
function logLines(output: string): { json: Record<string, unknown>[]; other: string[] } {
  const json: Record<string, unknown>[] = [];
  const other: string[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && 'msg' in v) json.push(v as Record<string, unknown>);
      else other.push(line);
    } catch {
      other.push(line);
    }
  }
  return { json, other };
}

/**
 * The default local mode (embedded store hosted by the router, persisted in its data directory) survives
 * a router crash: every model, policy and the suspended flag come back, and the executors serve again.
 */
describe('router killed with SIGKILL in the default local mode', () => {
  let topo: LocalTopology;
  let calls: RouterCalls;
  let firstRouterOutput = '';

  beforeAll(async () => {
    // Tracing on (console exporter on stdout) so log lines written inside a request span carry its ids.
    topo = await startLocalTopology({
      executors: 2,
      serviceEnv: {
        router: {
          OTEL_TRACES_EXPORTER: 'console',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
        },
      },
    });
    calls = new RouterCalls(topo.routerAddress);
    for (const m of MODELS) {
      const res = await calls.deploy(m.name, m.dataType, regressionPmml(m.coef));
      for (const s of res.statuses) expect(s.error).toBe('');
    }
    await calls.setPolicy('tb', 'majority', 250);
    await suspend(calls);
  }, 90_000);

  afterAll(async () => {
    calls?.close();
    await topo?.stop();
  });

  it('comes back with every model, the policy and the suspended flag, and serves them', async () => {
    const before = await listModels(calls);
    expect(before.deploymentsSuspended).toBe(true);
    await topo.router.kill();
    firstRouterOutput = topo.router.output();
    await topo.restart('router');

    const after = await listModels(calls);
    expect(after.deploymentsSuspended).toBe(true);
    const byType = (r: ListModelsResponse) =>
      Object.fromEntries(
        r.dataTypes.map((d) => [d.dataType, { models: [...d.models].sort(), policy: d.policy }]),
      );
    expect(byType(after)).toEqual(byType(before));
    expect(byType(after)['tb']?.policy).toMatchObject({ decider: 'majority', timeoutMs: 250 });

    // Served again: the executors reconnect to the new router's store and the router to them.
    const a = await calls.predict('ta', { x: 4 });
    expect(a.result?.value?.number).toBeCloseTo(regressionValue(MODELS[0]!.coef, { x: 4 }), 9);
    const b = await calls.predict('tb', { x: 2 }, 'b2');
    expect(b.result?.value?.number).toBeCloseTo(regressionValue(MODELS[2]!.coef, { x: 2 }), 9);

    // Still suspended: a deploy is refused.
    await expect(calls.deploy('a2', 'ta', regressionPmml(MODELS[0]!.coef))).rejects.toSatisfy(
      (err: unknown) => grpcCode(err) === 9, // FAILED_PRECONDITION
    );
  }, 60_000);

  it('every service logs JSON lines with the same fields, and trace ids inside request spans', () => {
    const processes = [topo.router, ...topo.executors, topo.collector!];
    const services = new Set<string>();
    for (const p of processes) {
      const { json } = logLines(p.output());
      expect(json.length, `${p.name} logged nothing`).toBeGreaterThan(0);
      for (const line of json) {
        expect(Object.keys(line)).toEqual(
          expect.arrayContaining(['time', 'level', 'service', 'instance', 'msg']),
        );
        expect(['debug', 'info', 'warn', 'error']).toContain(line['level']);
        expect(new Date(line['time'] as string).toISOString()).toBe(line['time']);
        services.add(line['service'] as string);
      }
    }
    expect([...services].sort()).toEqual(['model-executor', 'router', 'speculative-collector']);
    // The first router logged "model deployed" inside each DeployModel call's server span.
    const deployed = logLines(firstRouterOutput).json.filter((l) => l['msg'] === 'model deployed');
    expect(deployed).toHaveLength(MODELS.length);
    const traceIds = new Set<unknown>();
    for (const l of deployed) {
      expect(l['trace_id']).toMatch(/^[0-9a-f]{32}$/);
      expect(l['span_id']).toMatch(/^[0-9a-f]{16}$/);
      traceIds.add(l['trace_id']);
    }
    expect(traceIds.size).toBe(MODELS.length); // one trace per DeployModel call
    // Lines outside any span carry no ids.
    const listening = logLines(firstRouterOutput).json.find((l) => l['msg'] === 'router listening');
    expect(listening).toBeDefined();
    expect(listening).not.toHaveProperty('trace_id');
  });
});
