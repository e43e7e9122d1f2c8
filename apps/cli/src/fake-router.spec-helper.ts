import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import {
  ModelServingServiceService,
  ModelStatus_State,
  type DeployModelRequest,
  type ModelStatus,
  type ServingRequest,
  type ServingResponse,
} from '@modelserving/contracts';
import { notFound } from '@modelserving/model-core';
import { GrpcServer, unary } from '@modelserving/transport';

// An in-process stand-in for the router's public API, so the CLI is tested against real gRPC without the
// other apps. Only used by specs: tsconfig.lib.json excludes *.spec-helper.ts from the build.

export interface FakeRouter {
  readonly address: string;
  readonly deploys: DeployModelRequest[];
  readonly predicts: ServingRequest[];
  /** Owners' answer to the next deploys. */
  deployStates: { executor: string; state: ModelStatus_State; error?: string }[];
  stop(): Promise<void>;
}

export function status(
  executor: string,
  state: ModelStatus_State,
  extra: Partial<ModelStatus> = {},
): ModelStatus {
  return {
    modelKey: 'wine/tree',
    name: 'tree',
    dataType: 'wine',
    description: 'a tree',
    modelType: 2,
    state,
    loading: false,
    error: '',
    runtime: 'pmml',
    generation: 1,
    stats: undefined,
    executor,
    inputs: [],
    outputs: [],
    position: '1',
    ...extra,
  };
}

/** The fake's model: quality 6 when alcohol > 10, else 5; data type or model `broken` fails per record. */
export function fakeScore(req: ServingRequest): ServingResponse {
  if (req.dataType === 'broken' || req.modelName === 'broken') {
    return {
      guid: req.guid,
      qualifiers: [],
      result: {
        processed: true,
        model: 'broken/m',
        source: 'fake',
        outputs: {},
        tensors: [],
        error: 'model exploded',
        errorCode: 13,
        duration: 0.1,
      },
    };
  }
  const alcohol = req.data?.features['alcohol']?.number ?? 0;
  return {
    guid: req.guid,
    qualifiers: [],
    result: {
      processed: true,
      model: `${req.dataType}/tree`,
      source: 'fake-executor',
      value: { string: alcohol > 10 ? '6' : '5' },
      outputs: { 'probability(5)': { number: 0.25 } },
      tensors: [],
      error: '',
      errorCode: 0,
      duration: 0.05,
    },
  };
}

export async function startFakeRouter(address = '127.0.0.1:0'): Promise<FakeRouter> {
  const deploys: DeployModelRequest[] = [];
  const predicts: ServingRequest[] = [];
  const fake: Omit<FakeRouter, 'address' | 'stop'> = { deploys, predicts, deployStates: [] };
  const implementation: UntypedServiceImplementation = {
    predict: unary<ServingRequest, ServingResponse>((req) => {
      predicts.push(req);
      if (req.dataType === 'unknown') throw notFound(`no model for data type 'unknown'`);
      return fakeScore(req);
    }),
    predictStream: (call: ServerDuplexStream<ServingRequest, ServingResponse>) => {
      // Answers in small reversed batches: responses come back out of order, as the router may send them.
      let batch: ServingResponse[] = [];
      const flush = () => {
        for (const r of batch.reverse()) call.write(r);
        batch = [];
      };
      call.on('data', (req: ServingRequest) => {
        batch.push(fakeScore(req));
        if (batch.length >= 7) flush();
        else setImmediate(flush);
      });
      call.on('end', () => {
        flush();
        call.end();
      });
      call.on('error', () => {});
    },
    predictBatch: (call: ServerDuplexStream<unknown, unknown>) => call.end(),
    deployModel: unary<DeployModelRequest, unknown>((req) => {
      deploys.push(req);
      const key = `${req.model?.dataType}/${req.model?.name}`;
      return {
        modelKey: key,
        position: String(deploys.length),
        statuses: req.wait
          ? fake.deployStates.map((s) => status(s.executor, s.state, { modelKey: key, error: s.error ?? '' }))
          : [],
      };
    }),
    undeployModel: unary<{ dataType: string; name: string }, unknown>((req) => {
      if (req.name === 'ghost') throw notFound(`model ${req.dataType}/${req.name} is not deployed`);
      return { modelKey: `${req.dataType}/${req.name}`, position: '9' };
    }),
    listModels: unary(() => ({
      dataTypes: [
        {
          dataType: 'wine',
          models: ['tree', 'forest'],
          policy: { dataType: 'wine', decider: 'majority', timeoutMs: 100, alwaysSpeculative: false },
        },
      ],
      deploymentsSuspended: false,
    })),
    getModelStatus: unary(() => ({
      statuses: [
        status('127.0.0.1:50062', ModelStatus_State.SERVING, {
          stats: {
            name: 'tree',
            description: '',
            modelType: 2,
            since: Date.UTC(2024, 0, 2, 3, 4, 5),
            usage: 4,
            duration: 2,
            min: 0.25,
            max: 1,
          },
        }),
      ],
    })),
    suspendDeployments: unary(() => ({ suspended: true })),
    resumeDeployments: unary(() => ({ suspended: false })),
    setDataTypePolicy: unary(() => ({ position: '12' })),
    getSpeculativeStats: unary(() => ({
      stats: [
        {
          name: 'wine',
          decider: 'majority',
          tmout: 100,
          since: 1,
          usage: 2,
          duration: 3,
          min: 1,
          max: 2,
          timeouts: 1,
        },
      ],
    })),
  };
  const server = await GrpcServer.start({
    services: [
      { name: 'modelserving.v1.ModelServingService', definition: ModelServingServiceService, implementation },
    ],
    address,
  });
  const host = address.slice(0, address.lastIndexOf(':'));
  return Object.assign(fake, { address: `${host}:${server.port}`, stop: () => server.stop(100) });
}
