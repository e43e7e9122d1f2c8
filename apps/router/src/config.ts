import {
  boolean,
  CLUSTER_SETTINGS,
  COMMON_SETTINGS,
  duration,
  integer,
  loadConfig,
  port,
  resolveConfig,
  string,
  type ConfigOf,
  type JoinMode,
  type OptionsOf,
} from '@modelserving/service-kit';

export type { JoinMode };

/** Every router setting: its variable, default, check and documentation (the README table is checked against it). */
export const ROUTER_SETTINGS = {
  ...COMMON_SETTINGS,
  port: port({ env: 'ROUTER_PORT', doc: 'public gRPC port', default: 50051 }),
  ...CLUSTER_SETTINGS,
  storeDir: string({
    env: 'STORE_DIR',
    doc: 'directory the embedded store persists its models, policies and blobs in (relative to the working directory)',
    default: '.modelserving/store',
  }),
  storePersist: boolean({
    env: 'STORE_PERSIST',
    doc: '`false`: the embedded store keeps everything in memory only (lost when the router stops)',
    default: true,
  }),
  maxInflightPerStream: integer({
    env: 'MAX_INFLIGHT_PER_STREAM',
    doc: 'requests in flight per client stream before the router stops reading it (backpressure)',
    default: 8_192,
    min: 1,
    max: 10_000_000,
  }),
  defaultSpeculativeTimeoutMs: duration({
    env: 'SPECULATIVE_TIMEOUT_MS',
    doc: 'speculative deadline of a data type without a policy',
    default: 1_000,
    minMs: 1,
    maxMs: 3_600_000,
  }),
  defaultDeployWaitMs: duration({
    env: 'DEPLOY_WAIT_MS',
    doc: 'how long DeployModel with `wait` waits for the owners when the request gives no time',
    default: 30_000,
    minMs: 1,
    maxMs: 3_600_000,
  }),
} as const;

type Resolved = ConfigOf<typeof ROUTER_SETTINGS>;

/** Everything the router needs to run, validated. `storeDir` is undefined when persistence is off. */
export interface RouterConfig extends Omit<Resolved, 'storeDir'> {
  readonly storeDir: string | undefined;
}

export type RouterOptions = OptionsOf<typeof ROUTER_SETTINGS>;

/** Options → defaults → validated config. Throws ConfigError naming the bad option. */
export function resolveRouterConfig(options: RouterOptions = {}): RouterConfig {
  return finish(resolveConfig(ROUTER_SETTINGS, options));
}

/** Reads the router's environment variables; a bad value throws ConfigError naming the variable. */
export function loadRouterConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  return finish(loadConfig(ROUTER_SETTINGS, env));
}

function finish(c: Resolved): RouterConfig {
  // storePersist stays in the config so resolving a resolved config (main.ts → startRouter) keeps it off.
  return { ...c, storeDir: c.storePersist ? c.storeDir : undefined };
}
