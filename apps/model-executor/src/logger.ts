export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const noop = (): void => {};

/**
 * Plain `[service] level msg` lines on stderr. Levels below the threshold are no-op functions, so a
 * disabled debug call costs one call and no string work when callers guard expensive messages.
 */
export function createLogger(
  service: string,
  level: LogLevel = 'info',
  write: (line: string) => void = defaultWrite,
): Logger {
  const min = RANK[level];
  const at = (l: LogLevel) => (RANK[l] >= min ? (msg: string) => write(`[${service}] ${l} ${msg}`) : noop);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function defaultWrite(line: string): void {
  process.stderr.write(line + '\n');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
