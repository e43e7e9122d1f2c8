import { checkGrpcTarget } from '@modelserving/service-kit';
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

/** Checks a gRPC target (`host:port`, `dns:///host:port`, ...) the way every service does; `what` names the setting. */
export function validateAddress(what: string, value: string): string {
  const v = value.trim();
  try {
    return checkGrpcTarget(what, v);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
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
