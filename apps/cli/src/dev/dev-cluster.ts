import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Code, ServingError } from '@modelserving/model-core';
import { repoRoot } from '../shared-path';
import { freePorts } from './free-port';
import { readableLogLines } from './log-format';
import { ChildExitedError, ProcessSupervisor, type ChildExit, type ChildSpec } from './supervisor';

export interface DevPorts {
  readonly router: number;
  readonly executors: readonly [number, number];
  readonly collector: number;
}

export interface DevClusterOptions {
  /** Checkout whose apps/<app>/dist/main.js are run. */
  readonly root?: string;
  /** Router on P, executors on P+1 and P+2, collector on P+3; free ports when omitted. */
  readonly basePort?: number;
  /** Environment the children start from (default: ours). */
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  readonly color?: boolean;
  /** Pass the services' JSON log lines through unchanged instead of one readable line each. */
  readonly rawLogs?: boolean;
  readonly signal?: AbortSignal;
  readonly readyTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
}

export interface DevCluster {
  readonly routerAddress: string;
  readonly executorAddresses: readonly string[];
  readonly collectorAddress: string;
  readonly supervisor: ProcessSupervisor;
  /** Router first (it drains), then the executors, then the collector. */
  stop(): Promise<ChildExit[]>;
}

const HOST = '127.0.0.1';
export const DEV_STOP_ORDER = [['router'], ['executor-1', 'executor-2'], ['collector']] as const;

const APPS = { router: 'router', executor: 'model-executor', collector: 'speculative-collector' } as const;

export function appEntry(root: string, app: string): string {
  return join(root, 'apps', app, 'dist', 'main.js');
}

export function devPorts(basePort: number): DevPorts {
  return { router: basePort, executors: [basePort + 1, basePort + 2], collector: basePort + 3 };
}

// Settings a developer's shell may carry that would take the demo off the embedded, local setup.
const DROPPED_ENV = [
  'REDIS_URL',
  'INSTANCE_ID',
  'STORE_ADDRESS',
  'EXECUTORS',
  'EXECUTOR_ID',
  'EXECUTOR_ADVERTISE_ADDRESS',
  'OTEL_SERVICE_NAME',
];

/** The four children and their environment (the names the apps' config loaders read). */
export function devChildSpecs(
  root: string,
  ports: DevPorts,
  baseEnv: NodeJS.ProcessEnv = process.env,
): ChildSpec[] {
  const common: NodeJS.ProcessEnv = { ...baseEnv, HOST, DRAIN_MS: baseEnv['DRAIN_MS'] ?? '2000' };
  for (const k of DROPPED_ENV) delete common[k];
  const router = `${HOST}:${ports.router}`;
  const collector = `${HOST}:${ports.collector}`;
  const executors = ports.executors.map((p) => `${HOST}:${p}`);
  const specs: ChildSpec[] = [
    {
      name: 'collector',
      args: [appEntry(root, APPS.collector)],
      env: { ...common, INSTANCE_ID: 'collector', COLLECTOR_PORT: String(ports.collector) },
      healthAddress: collector,
    },
    {
      name: 'router',
      args: [appEntry(root, APPS.router)],
      env: {
        ...common,
        INSTANCE_ID: 'router',
        ROUTER_PORT: String(ports.router),
        EXECUTORS: executors.join(','),
        COLLECTOR_ADDRESS: collector,
      },
      healthAddress: router,
    },
  ];
  executors.forEach((address, i) => {
    specs.push({
      name: `executor-${i + 1}`,
      args: [appEntry(root, APPS.executor)],
      env: {
        ...common,
        INSTANCE_ID: `executor-${i + 1}`,
        EXECUTOR_PORT: String(ports.executors[i]),
        EXECUTOR_ID: address,
        EXECUTOR_ADVERTISE_ADDRESS: address,
        STORE_ADDRESS: router,
        EXECUTORS: executors.join(','),
        COLLECTOR_ADDRESS: collector,
      },
      healthAddress: address,
    });
  });
  return specs;
}

/**
 * Starts collector, router (hosting the embedded model store) and two executors as local child processes
 * and waits until each reports SERVING. If anything fails on the way, what was started is stopped again.
 */
export async function startDevCluster(options: DevClusterOptions = {}): Promise<DevCluster> {
  const root = options.root ?? repoRoot();
  for (const app of Object.values(APPS)) {
    if (!existsSync(appEntry(root, app))) {
      throw new ServingError(
        Code.FAILED_PRECONDITION,
        `${appEntry(root, app)} does not exist: build first (npm run build)`,
      );
    }
  }
  let ports: DevPorts;
  if (options.basePort !== undefined) {
    ports = devPorts(options.basePort);
  } else {
    const [r, e1, e2, c] = await freePorts(4, HOST);
    ports = { router: r!, executors: [e1!, e2!], collector: c! };
  }
  const specs = devChildSpecs(root, ports, options.env);
  const supervisor = new ProcessSupervisor({
    ...(options.log ? { log: options.log } : {}),
    ...(options.color !== undefined ? { color: options.color } : {}),
    ...(options.rawLogs ? {} : { formatLine: readableLogLines(options.color ?? false) }),
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
  });
  const stop = () => supervisor.stopAll(DEV_STOP_ORDER);
  const byName = (n: string) => specs.find((s) => s.name === n)!;
  try {
    // Collector first (router and executors stream to it), then the router (it hosts the store the
    // executors snapshot), then both executors together.
    for (const stage of [['collector'], ['router'], ['executor-1', 'executor-2']]) {
      const started = stage.map((n) => supervisor.start(byName(n)));
      // An earlier child dying while we wait on this stage counts too.
      await Promise.race([
        Promise.all(started.map((c) => c.ready(supervisor.readyTimeoutMs, options.signal))),
        supervisor.unexpectedExit.then((e) => Promise.reject(new ChildExitedError(e))),
      ]);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    routerAddress: `${HOST}:${ports.router}`,
    executorAddresses: ports.executors.map((p) => `${HOST}:${p}`),
    collectorAddress: `${HOST}:${ports.collector}`,
    supervisor,
    stop,
  };
}
