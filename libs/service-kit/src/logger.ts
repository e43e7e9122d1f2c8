import { hostname } from 'node:os';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** Levels every service accepts in LOG_LEVEL; `silent` turns logging off. */
export const LOG_LEVELS = Object.freeze(['debug', 'info', 'warn', 'error', 'silent'] as const);
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured fields of one log event. Error values are logged by their message. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The one logger interface of every service: a message plus structured fields. Implementations: pino
 * JSON lines (`createLogger`) and the in-memory double (`InMemoryLogger`) for tests.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every event (e.g. `{ executor: id }`). */
  child(bindings: LogFields): Logger;
  isLevelEnabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

export interface LoggerOptions {
  /** `service` field: router, model-executor, speculative-collector, ... */
  readonly service: string;
  /** `instance` field: which process of the service (default `INSTANCE_ID`, else `<hostname>:<pid>`). */
  readonly instance?: string;
  readonly level?: LogLevel;
  /** Where lines go (default: stderr, written synchronously so the last lines before a crash are kept). */
  readonly destination?: DestinationStream;
}

/** `INSTANCE_ID` when set, else `<hostname>:<pid>`. */
export function defaultInstance(env: NodeJS.ProcessEnv = process.env): string {
  const id = env['INSTANCE_ID']?.trim();
  return id ? id : `${hostname()}:${process.pid}`;
}

/**
 * JSON lines with the same fields in every service: `time` (ISO 8601), `level` (name), `service`,
 * `instance`, `msg`, `trace_id`/`span_id` whenever a span is active, then the event's fields. Only
 * control-plane events are logged (nothing per record), so the per-line cost does not matter; stdout stays
 * free for tools.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  const p = pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service, instance: options.instance ?? defaultInstance() },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
    },
    destination,
  );
  return wrap(p);
}

function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const ctx = span.spanContext();
  return isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}

function wrap(p: PinoLogger): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (msg: string, fields?: LogFields): void => {
      if (!p.isLevelEnabled(level)) return;
      if (fields === undefined) p[level](msg);
      else p[level](plainFields(fields), msg);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => wrap(p.child(plainFields(bindings))),
    isLevelEnabled: (level) => p.isLevelEnabled(level),
  };
}

/** Errors become their message: a stack or a cause chain may carry model or record content. */
function plainFields(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in fields) {
    const v = fields[k];
    out[k] = v instanceof Error ? errorMessage(v) : v;
  }
  return out;
}

/** The message of an error (a grpc-js ServiceError's `details` when it has them). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return (err as { details?: string }).details || err.message;
  return String(err);
}
