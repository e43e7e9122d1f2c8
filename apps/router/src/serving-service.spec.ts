import type {
  DeployModelResponse,
  GetModelStatusResponse,
  ListModelsResponse,
  ServingResponse,
} from '@modelserving/contracts';
import { ModelStatus_State } from '@modelserving/contracts';
import { Code } from '@modelserving/model-core';
import { RemoteModelStore } from '@modelserving/model-store';
import { rendezvousOwners } from '@modelserving/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { call, deploy, pmmlDescriptor, record, servingRequest } from './test-support/clients';
import { expectStatus } from './test-support/assertions';
import { startTopology, type TestTopology } from './test-support/topology';

let topo: TestTopology | undefined;
afterEach(async () => {
  await topo?.stop();
  topo = undefined;
});

const deployReq = (model: object, wait = false, waitTimeoutMs = 0) => ({ model, wait, waitTimeoutMs });

describe('DeployModel', () => {
  it('validates descriptors', async () => {
    topo = await startTopology({ executors: 1, router: { maxModelBytes: 1_000 } });
    const c = topo.client;
    const ok = pmmlDescriptor('wine', 'm1');
    await expectStatus(
      call(c, 'deployModel', { wait: false, waitTimeoutMs: 0 }),
      Code.INVALID_ARGUMENT,
      'model is required',
    );
    await expectStatus(
      call(c, 'deployModel', deployReq({ ...ok, name: 'bad name!' })),
      Code.INVALID_ARGUMENT,
      "model name 'bad name!' is invalid",
    );
    await expectStatus(
      call(c, 'deployModel', deployReq({ ...ok, dataType: '' })),
      Code.INVALID_ARGUMENT,
      'data type',
    );
    await expectStatus(
      call(c, 'deployModel', deployReq({ ...ok, modelType: 9 })),
      Code.INVALID_ARGUMENT,
      'unknown model type 9',
    );
    await expectStatus(
      call(c, 'deployModel', deployReq({ ...ok, data: undefined })),
      Code.INVALID_ARGUMENT,
      'no content',
    );
    await expectStatus(
      call(c, 'deployModel', deployReq({ ...ok, data: Buffer.alloc(2_000) })),
      Code.RESOURCE_EXHAUSTED,
      'more than the limit of 1000 bytes',
    );
    const res = await call<DeployModelResponse>(c, 'deployModel', deployReq(ok));
    expect(res.modelKey).toBe('wine/m1');
    expect(res.position).toMatch(/^\d+-\d+$/);
    expect(res.statuses).toEqual([]);
  });

  it('refuses deployments while suspended and accepts them again after resume', async () => {
    topo = await startTopology({ executors: 1 });
    const c = topo.client;
    expect(await call(c, 'suspendDeployments', {})).toEqual({ suspended: true });
    await expectStatus(
      call(c, 'deployModel', deployReq(pmmlDescriptor('wine', 'm1'))),
      Code.FAILED_PRECONDITION,
      'deployments are suspended',
    );
    expect((await call<ListModelsResponse>(c, 'listModels', { dataType: '' })).deploymentsSuspended).toBe(
      true,
    );
    expect(await call(c, 'resumeDeployments', {})).toEqual({ suspended: false });
    await call(c, 'deployModel', deployReq(pmmlDescriptor('wine', 'm1')));
    expect((await call<ListModelsResponse>(c, 'listModels', { dataType: '' })).deploymentsSuspended).toBe(
      false,
    );
  });

  it('with wait, returns the status of every owner once it has applied the deploy', async () => {
    topo = await startTopology({ executors: 3, router: { replicas: 2 } });
    const res = await call<DeployModelResponse>(
      topo.client,
      'deployModel',
      deployReq(pmmlDescriptor('wine', 'm1'), true, 5_000),
    );
    const owners = rendezvousOwners(
      'wine/m1',
      topo.executors.map((e) => e.id),
      2,
    );
    expect(res.statuses.map((s) => s.executor).sort()).toEqual([...owners].sort());
    for (const s of res.statuses) {
      expect(s.state).toBe(ModelStatus_State.SERVING);
      expect(s.position >= res.position).toBe(true);
    }
  });
});

describe('model management', () => {
  it('lists models per data type with their policy, undeploys, and reports NOT_FOUND for unknown models', async () => {
    topo = await startTopology({ executors: 2 });
    const c = topo.client;
    await deploy(c, 'wine', 'b');
    await deploy(c, 'wine', 'a');
    await deploy(c, 'iris', 'x');
    await call(c, 'setDataTypePolicy', {
      policy: { dataType: 'wine', decider: 'majority', timeoutMs: 250, alwaysSpeculative: false },
    });
    const all = await call<ListModelsResponse>(c, 'listModels', { dataType: '' });
    expect(all.dataTypes).toEqual([
      {
        dataType: 'iris',
        models: ['x'],
        policy: { dataType: 'iris', decider: 'first', timeoutMs: 1000, alwaysSpeculative: false },
      },
      {
        dataType: 'wine',
        models: ['a', 'b'],
        policy: { dataType: 'wine', decider: 'majority', timeoutMs: 250, alwaysSpeculative: false },
      },
    ]);
    const one = await call<ListModelsResponse>(c, 'listModels', { dataType: 'iris' });
    expect(one.dataTypes.map((d) => d.dataType)).toEqual(['iris']);

    await expectStatus(
      call(c, 'undeployModel', { dataType: 'wine', name: 'zzz' }),
      Code.NOT_FOUND,
      'wine/zzz',
    );
    const un = await call<{ modelKey: string; position: string }>(c, 'undeployModel', {
      dataType: 'iris',
      name: 'x',
    });
    expect(un.modelKey).toBe('iris/x');
    await expectStatus(
      call<ServingResponse>(c, 'predict', servingRequest({ dataType: 'iris', data: record({ x: 1 }) })),
      Code.NOT_FOUND,
      'no model deployed for data type iris',
    );
  });

  it('returns the status from each owner of a key', async () => {
    topo = await startTopology({ executors: 3 });
    await deploy(topo.client, 'wine', 'm1');
    const res = await call<GetModelStatusResponse>(topo.client, 'getModelStatus', {
      dataType: 'wine',
      name: 'm1',
    });
    expect(res.statuses.map((s) => s.executor)).toEqual(
      rendezvousOwners(
        'wine/m1',
        topo.executors.map((e) => e.id),
        1,
      ),
    );
    expect(res.statuses[0]!.modelKey).toBe('wine/m1');
    await expectStatus(
      call(topo.client, 'getModelStatus', { dataType: 'wine', name: 'nope' }),
      Code.NOT_FOUND,
      'wine/nope',
    );
  });

  it('asks every executor in partition mode', async () => {
    topo = await startTopology({ executors: 3, router: { joinMode: 'partition' } });
    await deploy(topo.client, 'wine', 'm1');
    const res = await call<GetModelStatusResponse>(topo.client, 'getModelStatus', {
      dataType: 'wine',
      name: 'm1',
    });
    expect(res.statuses.map((s) => s.executor).sort()).toEqual(topo.executors.map((e) => e.id).sort());
  });

  it('validates data type policies', async () => {
    topo = await startTopology({ executors: 1 });
    const c = topo.client;
    const p = { dataType: 'wine', decider: 'first', timeoutMs: 100, alwaysSpeculative: false };
    await expectStatus(call(c, 'setDataTypePolicy', {}), Code.INVALID_ARGUMENT, 'policy is required');
    await expectStatus(
      call(c, 'setDataTypePolicy', { policy: { ...p, decider: 'vote' } }),
      Code.INVALID_ARGUMENT,
      "unknown decider 'vote'",
    );
    await expectStatus(
      call(c, 'setDataTypePolicy', { policy: { ...p, timeoutMs: 0 } }),
      Code.INVALID_ARGUMENT,
      'timeout_ms must be a positive integer',
    );
    await expectStatus(
      call(c, 'setDataTypePolicy', { policy: { ...p, dataType: '' } }),
      Code.INVALID_ARGUMENT,
      'data type',
    );
    const res = await call<{ position: string }>(c, 'setDataTypePolicy', { policy: p });
    expect(res.position).toMatch(/^\d+-\d+$/);
  });

  it('proxies speculative stats to the collector, FAILED_PRECONDITION without one', async () => {
    topo = await startTopology({ executors: 1, collector: true });
    const res = await call<{ stats: { name: string }[] }>(topo.client, 'getSpeculativeStats', {
      dataType: 'wine',
    });
    expect(res.stats.map((s) => s.name)).toEqual(['wine']);
    await topo.stop();
    topo = await startTopology({ executors: 1 });
    await expectStatus(
      call(topo.client, 'getSpeculativeStats', { dataType: '' }),
      Code.FAILED_PRECONDITION,
      'no speculative collector configured',
    );
  });

  it('hosts the embedded store so executors can tail it over gRPC', async () => {
    topo = await startTopology({ executors: 1 });
    await deploy(topo.client, 'wine', 'm1');
    const remote = await RemoteModelStore.connect(topo.router.address);
    try {
      const snap = await remote.snapshot();
      expect(snap.models.map((m) => `${m.dataType}/${m.name}`)).toEqual(['wine/m1']);
    } finally {
      await remote.close();
    }
  });
});
