import { UsageError } from './errors';

export type OutputFormat = 'text' | 'json';

/** What a caller may set; everything else gets a default. */
export interface CliOptions {
  /** Router address (`--router`, env MODELSERVING_ROUTER). */
  readonly router?: string;
  readonly output?: OutputFormat;
  /** Deadline of a unary call, milliseconds (`--timeout-ms` is per command; this is the default). */
  readonly callTimeoutMs?: number;
}

export interface CliConfig {
  readonly router: string;
  readonly output: OutputFormat;
  readonly callTimeoutMs: number;
}

export const CLI_DEFAULTS = {
  router: '127.0.0.1:50051',
  output: 'text' as OutputFormat,
  callTimeoutMs: 30_000,
} as const;

const ADDRESS_RE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Checks a `host:port` address; `what` names the setting in the error. */
export function validateAddress(what: string, value: string): string {
  const v = value.trim();
  const m = ADDRESS_RE.exec(v);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
    throw new UsageError(`${what}: '${value}' is not a host:port address`);
  return v;
}

/** Options → defaults → a validated config. */
export function resolveCliConfig(options: CliOptions = {}): CliConfig {
  const output = options.output ?? CLI_DEFAULTS.output;
  if (output !== 'text' && output !== 'json')
    throw new UsageError(`--output must be 'text' or 'json', got '${String(output)}'`);
  const callTimeoutMs = options.callTimeoutMs ?? CLI_DEFAULTS.callTimeoutMs;
  if (!Number.isInteger(callTimeoutMs) || callTimeoutMs < 1)
    throw new UsageError(`call timeout must be a positive integer, got ${callTimeoutMs}`);
  return {
    router: validateAddress('--router', options.router ?? CLI_DEFAULTS.router),
    output,
    callTimeoutMs,
  };
}

/** The environment's part of the configuration (flags override it). */
export function loadCliConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const router = env['MODELSERVING_ROUTER']?.trim();
  return resolveCliConfig(router ? { router: validateAddress('MODELSERVING_ROUTER', router) } : {});
}
