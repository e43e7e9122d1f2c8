import type { sendUnaryData, ServerDuplexStream, ServerUnaryCall } from '@grpc/grpc-js';
import type {
  DataTypeModels,
  DeployModelRequest,
  DeployModelResponse,
  ListModelsResponse,
  ModelStatus,
} from '@modelserving/contracts';
import {
  Code,
  ServingError,
  failedPrecondition,
  modelKey,
  notFound,
  unavailable,
  validateName,
} from '@modelserving/model-core';
import type { ModelStore, PublishEvent } from '@modelserving/model-store';
import { toServiceError, unary } from '@modelserving/transport';
import type { RouterConfig } from './config';
import { validateDeploy, validatePolicy } from './deploy-validation';
import type { ExecutorConnection } from './executor-connection';
import type { Logger } from '@modelserving/service-kit';
import type { RequestRouter } from './request-router';
import type { ResponseSink, RouteRequest } from './route-request';
import type { RoutingTable } from './routing-table';
import { queryStatuses, settledAt, statusOf } from './status-query';
import type { StoreFollower } from './store-follower';
import { PredictBatchSession, PredictStreamSession } from './stream-sessions';
import { responseError, responseErrorCode, type RoutedResponse } from './wire-codec';

export interface ServingServiceDeps {
  readonly config: RouterConfig;
  readonly router: RequestRouter;
  readonly table: RoutingTable;
  readonly store: ModelStore;
  readonly follower: StoreFollower;
  readonly log: Logger;
}

/** How long a control call waits for the router's own table to apply what it just published. */
const OWN_TABLE_WAIT_MS = 5_000;
const STATUS_TIMEOUT_MS = 5_000;
/** Pauses between the deploy-wait's status polls: doubling from the first to the last. */
const FIRST_POLL_PAUSE_MS = 2;
const MAX_POLL_PAUSE_MS = 100;

/** Deadline of a call as epoch ms, 0 when it has none. */
export function callDeadline(call: { getDeadline(): Date | number }): number {
  const d = call.getDeadline();
  const ms = d instanceof Date ? d.getTime() : d;
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** A failed result as the call's status; success as the response. */
export function responseToCallback(response: RoutedResponse, callback: sendUnaryData<RoutedResponse>): void {
  const error = responseError(response);
  if (error !== '') {
    callback(toServiceError(new ServingError((responseErrorCode(response) || Code.UNKNOWN) as Code, error)));
  } else {
    callback(null, response);
  }
}

class UnarySink implements ResponseSink {
  constructor(private readonly callback: sendUnaryData<RoutedResponse>) {}

  onResponse(_req: RouteRequest, response: RoutedResponse): void {
    responseToCallback(response, this.callback);
  }
}

/** The owners of a key (partition mode: every live executor), or UNAVAILABLE. */
export function statusTargets(
  deps: Pick<ServingServiceDeps, 'config' | 'router'>,
  key: string,
): ExecutorConnection[] {
  const pool = deps.router.pool;
  const targets = deps.config.joinMode === 'partition' ? [...pool.liveConnections()] : [...pool.owners(key)];
  if (targets.length === 0) throw unavailable(`no live executor to ask about model ${key}`);
  return targets;
}

/** modelserving.v1.ModelServingService. */
export function createServingService(deps: ServingServiceDeps) {
  const { config, router, table, store, follower, log } = deps;

  const publish = async (event: PublishEvent): Promise<string> => {
    const position = await store.publish(event);
    // Answer only once our own routing table has it: a Predict right after DeployModel must find the model.
    if (!(await follower.waitFor(position, OWN_TABLE_WAIT_MS))) {
      log.warn('routing table did not reach a published position in time', { position });
    }
    return position;
  };

  const waitForOwners = async (key: string, position: string, timeoutMs: number): Promise<ModelStatus[]> => {
    const deadline = Date.now() + timeoutMs;
    // The first poll nearly always comes before the owners have even read the event, and a small model
    // builds in about a millisecond: a flat 100 ms between polls made every deploy (and hot swap) take
    // ~100 ms. Start short and back off, so a quick build is reported in a few ms and a slow one still
    // costs at most one GetStatus per owner every 100 ms.
    let pause = FIRST_POLL_PAUSE_MS;
    for (;;) {
      const remaining = deadline - Date.now();
      const targets =
        config.joinMode === 'partition' ? [...router.pool.liveConnections()] : [...router.pool.owners(key)];
      if (targets.length > 0) {
        const answers = await queryStatuses(
          targets,
          [key],
          Math.max(1, Math.min(STATUS_TIMEOUT_MS, remaining)),
        );
        if (answers.every((a) => settledAt(a, key, position)) || Date.now() >= deadline)
          return answers.map((a) => statusOf(a, key));
      } else if (remaining <= 0) {
        return [];
      }
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(pause, deadline - Date.now()))));
      pause = Math.min(pause * 2, MAX_POLL_PAUSE_MS);
    }
  };

  return {
    predict(
      call: ServerUnaryCall<RouteRequest, RoutedResponse>,
      callback: sendUnaryData<RoutedResponse>,
    ): void {
      const req = call.request;
      req.sink = new UnarySink(callback);
      router.submit(req, callDeadline(call));
    },

    predictStream(call: ServerDuplexStream<RouteRequest, RoutedResponse>): void {
      new PredictStreamSession(call, router, config.maxInflightPerStream);
    },

    predictBatch(
      call: ServerDuplexStream<{ requests: RouteRequest[] }, { responses: RoutedResponse[] }>,
    ): void {
      new PredictBatchSession(call, router, config.maxInflightPerStream, config.maxBatch);
    },

    deployModel: unary(async (request: DeployModelRequest): Promise<DeployModelResponse> => {
      const key = validateDeploy(request.model, config.maxModelBytes);
      if (table.suspended) throw failedPrecondition('deployments are suspended');
      if (request.waitTimeoutMs < 0)
        throw new ServingError(
          Code.INVALID_ARGUMENT,
          `wait_timeout_ms must not be negative, got ${request.waitTimeoutMs}`,
        );
      const position = await publish({ deploy: request.model! });
      log.info('model deployed', { model: key, position });
      const statuses = request.wait
        ? await waitForOwners(
            key,
            position,
            request.waitTimeoutMs > 0 ? request.waitTimeoutMs : config.defaultDeployWaitMs,
          )
        : [];
      return { modelKey: key, position, statuses };
    }),

    undeployModel: unary(async (request: { dataType: string; name: string }) => {
      validateName('data type', request.dataType);
      validateName('model name', request.name);
      const key = modelKey(request.dataType, request.name);
      if (table.model(key) === undefined) throw notFound(`model ${key} is not deployed`);
      const position = await publish({ undeploy: { dataType: request.dataType, name: request.name } });
      log.info('model undeployed', { model: key, position });
      return { modelKey: key, position };
    }),

    listModels: unary((request: { dataType: string }): ListModelsResponse => {
      const dataTypes: DataTypeModels[] = [];
      for (const t of table.dataTypes()) {
        if (request.dataType !== '' && t.dataType !== request.dataType) continue;
        dataTypes.push({
          dataType: t.dataType,
          models: [...t.models.keys()].sort(),
          policy: t.policy ?? {
            dataType: t.dataType,
            decider: 'first',
            timeoutMs: config.defaultSpeculativeTimeoutMs,
            alwaysSpeculative: false,
          },
        });
      }
      return { dataTypes, deploymentsSuspended: table.suspended };
    }),

    getModelStatus: unary(async (request: { dataType: string; name: string }) => {
      if (!request.dataType) throw new ServingError(Code.INVALID_ARGUMENT, 'data_type is required');
      if (!request.name) throw new ServingError(Code.INVALID_ARGUMENT, 'name is required');
      const key = modelKey(request.dataType, request.name);
      if (table.model(key) === undefined) throw notFound(`model ${key} is not deployed`);
      const answers = await queryStatuses(statusTargets(deps, key), [key], STATUS_TIMEOUT_MS);
      return { statuses: answers.map((a) => statusOf(a, key)) };
    }),

    suspendDeployments: unary(async () => {
      await publish({ suspended: true });
      log.info('deployments suspended');
      return { suspended: true };
    }),

    resumeDeployments: unary(async () => {
      await publish({ suspended: false });
      log.info('deployments resumed');
      return { suspended: false };
    }),

    setDataTypePolicy: unary(async (request: { policy?: Parameters<typeof validatePolicy>[0] }) => {
      const policy = validatePolicy(request.policy);
      const position = await publish({ policy });
      log.info('data type policy set', {
        dataType: policy.dataType,
        decider: policy.decider,
        timeoutMs: policy.timeoutMs,
      });
      return { position };
    }),

    getSpeculativeStats: unary(async (request: { dataType: string }) => {
      const collector = router.collector;
      if (collector === undefined) throw failedPrecondition('no speculative collector configured');
      const res = await collector.getStats(request.dataType);
      return { stats: res.stats };
    }),
  };
}
