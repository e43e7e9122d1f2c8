export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };
const noop = (): void => {};

/**
 * Plain `[speculative-collector] level msg` lines on stderr. Levels below the threshold are no-op
 * functions; only control-plane events are logged, never anything per request.
 */
export function createLogger(
  service = 'speculative-collector',
  level: LogLevel = 'info',
  write: (line: string) => void = defaultWrite,
): Logger {
  const min = RANK[level];
  const at = (l: Exclude<LogLevel, 'silent'>) =>
    RANK[l] >= min ? (msg: string) => write(`[${service}] ${l} ${msg}`) : noop;
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function defaultWrite(line: string): void {
  process.stderr.write(line + '\n');
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return (err as { details?: string }).details || err.message;
  return String(err);
}
