import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitForServing } from '@modelserving/transport';
import { freePort } from './free-port';

/** Repository root (libs/testing/{src,dist} → ../../..). */
export const REPO_ROOT = resolve(__dirname, '../../..');

export interface ServiceProcess {
  readonly name: string;
  readonly address: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr/stdout (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL at once (simulates a crash). */
  kill(): Promise<void>;
}

export function appMain(app: 'router' | 'model-executor' | 'speculative-collector'): string {
  const main = resolve(REPO_ROOT, 'apps', app, 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx nx run-many -t build)`);
  return main;
}

/** Spawns `node <script>` with `env` and returns a handle; does not wait for readiness. */
export function spawnService(
  name: string,
  script: string,
  address: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): ServiceProcess {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    if (process.env['MODELSERVING_TEST_VERBOSE']) process.stderr.write(`[${name}] ${chunk.toString()}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    name,
    address,
    child,
    output: () => out,
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface LocalTopologyOptions {
  readonly executors?: number;
  readonly redisUrl?: string;
  readonly joinMode?: 'key' | 'partition';
  readonly replicas?: number;
  readonly collector?: boolean;
  readonly env?: Record<string, string>;
  /** Extra environment for one kind of process only (e.g. tracing on the router alone). */
  readonly serviceEnv?: Partial<Record<'router' | 'executor' | 'collector', Record<string, string>>>;
  /**
   * Node flags for the service processes only (e.g. `--trace-gc`, `--cpu-prof`), so a benchmark can
   * profile the servers without profiling its own client. Passed on the command line, not as
   * NODE_OPTIONS, because some (--cpu-prof) are refused there. Default: whitespace-separated
   * `MODELSERVING_CHILD_NODE_ARGS`.
   */
  readonly nodeArgs?: readonly string[];
}

export interface LocalTopology {
  /** The current router process (a new one after `restart('router')`). */
  readonly router: ServiceProcess;
  readonly executors: ServiceProcess[];
  readonly collector?: ServiceProcess;
  /**
   * Starts the named process again with the same script, port and environment (after it was killed or
   * stopped; a live one is killed first) and waits until it reports SERVING.
   */
  restart(name: string): Promise<ServiceProcess>;
  readonly routerAddress: string;
  /** Data directory of the router's embedded store (a fresh temp dir, removed by stop()); none with Redis. */
  readonly storeDir?: string;
  stop(): Promise<void>;
}

/**
 * Router, N executors and the collector as separate local processes, configured as in docker-compose:
 * with `redisUrl` every process uses Redis for the store and membership; without it the router hosts
 * the embedded store and executors use a static member list.
 */
export async function startLocalTopology(opts: LocalTopologyOptions = {}): Promise<LocalTopology> {
  const n = opts.executors ?? 2;
  const routerPort = await freePort();
  const collectorPort = await freePort();
  const executorPorts: number[] = [];
  for (let i = 0; i < n; i++) executorPorts.push(await freePort());
  const executorAddresses = executorPorts.map((p) => `127.0.0.1:${p}`);
  // Each topology persists its embedded store in its own temp dir: runs never share (or leave) state.
  const storeDir = opts.redisUrl ? undefined : await mkdtemp(join(tmpdir(), 'modelserving-store-'));
  const removeStoreDir = async () => {
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
  };
  const common: Record<string, string> = {
    HOST: '127.0.0.1',
    JOIN_MODE: opts.joinMode ?? 'key',
    REPLICAS: String(opts.replicas ?? 1),
    DRAIN_MS: '1000',
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : { EXECUTORS: executorAddresses.join(',') }),
    ...(storeDir ? { STORE_DIR: storeDir } : {}),
    ...(opts.collector === false ? {} : { COLLECTOR_ADDRESS: `127.0.0.1:${collectorPort}` }),
    ...(opts.env ?? {}),
  };
  const nodeArgs =
    opts.nodeArgs ?? (process.env['MODELSERVING_CHILD_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
  const started: ServiceProcess[] = [];
  const specs = new Map<string, { script: string; env: Record<string, string> }>();
  const spawnNamed = (name: string, script: string, address: string, env: Record<string, string>) => {
    specs.set(name, { script, env });
    return spawnService(name, script, address, env, nodeArgs);
  };
  try {
    let collector: ServiceProcess | undefined;
    if (opts.collector !== false) {
      collector = spawnNamed('collector', appMain('speculative-collector'), `127.0.0.1:${collectorPort}`, {
        ...common,
        COLLECTOR_PORT: String(collectorPort),
        ...(opts.serviceEnv?.collector ?? {}),
      });
      started.push(collector);
    }
    const router = spawnNamed('router', appMain('router'), `127.0.0.1:${routerPort}`, {
      ...common,
      ROUTER_PORT: String(routerPort),
      ...(opts.serviceEnv?.router ?? {}),
    });
    started.push(router);
    const executors = executorPorts.map((port, i) =>
      spawnNamed(`executor-${i + 1}`, appMain('model-executor'), `127.0.0.1:${port}`, {
        ...common,
        EXECUTOR_PORT: String(port),
        EXECUTOR_ID: `127.0.0.1:${port}`,
        EXECUTOR_ADVERTISE_ADDRESS: `127.0.0.1:${port}`,
        ...(opts.redisUrl ? {} : { STORE_ADDRESS: `127.0.0.1:${routerPort}` }),
        ...(opts.serviceEnv?.executor ?? {}),
      }),
    );
    started.push(...executors);
    for (const s of started) {
      try {
        await waitForServing(s.address, '', 20_000);
      } catch (err) {
        throw new Error(`${s.name} did not start: ${(err as Error).message}\n${s.output().slice(-3000)}`);
      }
    }
    const topology = {
      router,
      executors,
      ...(collector ? { collector } : {}),
      routerAddress: router.address,
      ...(storeDir ? { storeDir } : {}),
      async restart(name: string): Promise<ServiceProcess> {
        const i = started.findIndex((s) => s.name === name);
        const spec = specs.get(name);
        if (i < 0 || !spec) throw new Error(`no process named ${name}`);
        const old = started[i]!;
        await old.kill();
        const next = spawnService(name, spec.script, old.address, spec.env, nodeArgs);
        started[i] = next;
        if (name === 'router') topology.router = next;
        else if (name === 'collector') topology.collector = next;
        else executors[executors.indexOf(old)] = next;
        try {
          await waitForServing(next.address, '', 30_000);
        } catch (err) {
          throw new Error(
            `${name} did not restart: ${(err as Error).message}\n${next.output().slice(-3000)}`,
          );
        }
        return next;
      },
      async stop() {
        await Promise.all(started.map((s) => s.stop()));
        await removeStoreDir();
      },
    };
    return topology;
  } catch (err) {
    await Promise.all(started.map((s) => s.kill()));
    await removeStoreDir();
    throw err;
  }
}
