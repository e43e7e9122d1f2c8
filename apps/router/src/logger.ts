export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/**
 * One JSON line per event on stderr (stdout stays free for tools). Only control-plane events are logged:
 * nothing here runs per request.
 */
export function createLogger(
  service: string,
  level: LogLevel = 'info',
  write: (line: string) => void = defaultWrite,
): Logger {
  const min = RANK[level];
  const emit = (
    lvl: Exclude<LogLevel, 'silent'>,
    msg: string,
    fields?: Readonly<Record<string, unknown>>,
  ) => {
    if (RANK[lvl] < min) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, service, msg };
    if (fields) for (const k in fields) entry[k] = errorText(fields[k]);
    write(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function defaultWrite(line: string): void {
  process.stderr.write(line + '\n');
}

function errorText(v: unknown): unknown {
  return v instanceof Error ? v.message : v;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return (err as { details?: string }).details || err.message;
  return String(err);
}
