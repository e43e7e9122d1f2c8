import { ConfigError, quote } from './config-error';

/**
 * One setting of a service: the environment variable that sets it, its documentation, its default, how
 * a variable's text becomes a value, and the check every value passes — the same check for a value read
 * from the environment and for one passed in-process.
 */
export interface Setting<T> {
  readonly env: string;
  readonly doc: string;
  /** Undefined: the setting is optional (the config holds `undefined` when it is not set). */
  readonly default: T | undefined;
  /** The default as the settings table shows it. */
  readonly defaultText: string;
  parse(raw: string, label: string): T;
  check(value: T, label: string): T;
}

export type Settings = Readonly<Record<string, Setting<unknown>>>;

/** The config object a set of settings produces. */
export type ConfigOf<S extends Settings> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T>
    ? S[K]['default'] extends undefined
      ? T | undefined
      : T
    : never;
};

/** What an in-process caller may pass: any subset, unvalidated. */
export type OptionsOf<S extends Settings> = {
  readonly [K in keyof S]?: S[K] extends Setting<infer T> ? T : never;
};

interface Base<T> {
  readonly env: string;
  readonly doc: string;
  readonly default?: T;
  readonly defaultText?: string;
}

function make<T>(
  base: Base<T>,
  parse: (raw: string, label: string) => T,
  check: (value: T, label: string) => T,
  show: (v: T) => string,
): Setting<T> {
  return {
    env: base.env,
    doc: base.doc,
    default: base.default,
    defaultText: base.defaultText ?? (base.default === undefined ? '—' : show(base.default)),
    parse,
    check,
  };
}

const INT = /^[+-]?\d+$/;

function integerIn(label: string, v: unknown, min: number, max: number, unit = ''): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(label, `must be an integer${unit} from ${min} to ${max}, got ${quote(v)}`);
  }
  return v;
}

export interface IntegerOptions extends Base<number> {
  readonly min?: number;
  readonly max?: number;
}

export function integer(o: IntegerOptions): Setting<number> {
  const min = o.min ?? 0;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  return make(
    o,
    (raw, label) => {
      if (!INT.test(raw)) throw new ConfigError(label, `must be an integer, got ${quote(raw)}`);
      return Number(raw);
    },
    (v, label) => integerIn(label, v, min, max),
    String,
  );
}

/** A TCP port; 0 binds a free port (tests). */
export function port(o: Base<number>): Setting<number> {
  return make(
    o,
    (raw, label) => {
      if (!INT.test(raw)) throw new ConfigError(label, `must be a port number, got ${quote(raw)}`);
      return Number(raw);
    },
    (v, label) => integerIn(label, v, 0, 65_535),
    String,
  );
}

/** `1h`, `2m`, `5s` or `250ms`: the largest unit that divides the value. */
function showDuration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms > 0 && ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const DURATION_UNIT: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export interface DurationOptions extends Base<number> {
  readonly minMs?: number;
  readonly maxMs?: number;
}

/** Milliseconds; the variable takes `250`, `250ms`, `5s`, `2m` or `1h`. */
export function duration(o: DurationOptions): Setting<number> {
  const min = o.minMs ?? 0;
  const max = o.maxMs ?? 86_400_000;
  return make(
    o,
    (raw, label) => {
      const m = DURATION.exec(raw.trim());
      if (!m)
        throw new ConfigError(label, `must be a duration such as 500, 500ms, 5s or 2m, got ${quote(raw)}`);
      return Math.round(Number(m[1]) * DURATION_UNIT[m[2] ?? 'ms']!);
    },
    (v, label) => integerIn(label, v, min, max, ' (ms)'),
    showDuration,
  );
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i;
const SIZE_UNIT: Record<string, number> = {
  b: 1,
  kb: 1e3,
  kib: 1024,
  mb: 1e6,
  mib: 1024 ** 2,
  gb: 1e9,
  gib: 1024 ** 3,
};

export interface SizeOptions extends Base<number> {
  readonly min?: number;
  readonly max?: number;
}

/** Bytes; the variable takes `1048576`, `64KiB`, `64MiB`, `1GiB` (or kB/MB/GB, powers of ten). */
export function size(o: SizeOptions): Setting<number> {
  const min = o.min ?? 0;
  const max = o.max ?? Number.MAX_SAFE_INTEGER;
  return make(
    o,
    (raw, label) => {
      const m = SIZE.exec(raw.trim());
      if (!m)
        throw new ConfigError(label, `must be a size such as 1048576, 64KiB or 64MiB, got ${quote(raw)}`);
      return Math.floor(Number(m[1]) * SIZE_UNIT[(m[2] ?? 'b').toLowerCase()]!);
    },
    (v, label) => integerIn(label, v, min, max, ' (bytes)'),
    (v) =>
      v % 1024 ** 2 === 0 && v > 0
        ? `${v / 1024 ** 2}MiB`
        : v % 1024 === 0 && v > 0
          ? `${v / 1024}KiB`
          : String(v),
  );
}

export interface StringOptions extends Base<string> {
  /** Longest accepted value. */
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** What the pattern means, for the error. */
  readonly patternText?: string;
}

export function string(o: StringOptions): Setting<string> {
  const maxLength = o.maxLength ?? 4_096;
  return make(
    o,
    (raw) => raw,
    (v, label) => {
      if (typeof v !== 'string' || v.length === 0) throw new ConfigError(label, 'must not be empty');
      if (v.length > maxLength) throw new ConfigError(label, `must be at most ${maxLength} characters`);
      if (o.pattern && !o.pattern.test(v)) {
        throw new ConfigError(
          label,
          `must be ${o.patternText ?? `like ${o.pattern.source}`}, got ${quote(v)}`,
        );
      }
      return v;
    },
    (v) => `\`${v}\``,
  );
}

export function oneOf<const V extends string>(o: Base<V> & { readonly values: readonly V[] }): Setting<V> {
  return make(
    o,
    (raw) => raw.trim().toLowerCase() as V,
    (v, label) => {
      if (!o.values.includes(v))
        throw new ConfigError(label, `must be one of ${o.values.join(', ')}, got ${quote(v)}`);
      return v;
    },
    (v) => `\`${v}\``,
  );
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

export function boolean(o: Base<boolean>): Setting<boolean> {
  return make(
    o,
    (raw, label) => {
      const s = raw.trim().toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      throw new ConfigError(label, `must be true or false, got ${quote(raw)}`);
    },
    (v, label) => {
      if (typeof v !== 'boolean') throw new ConfigError(label, `must be true or false, got ${quote(v)}`);
      return v;
    },
    (v) => `\`${v}\``,
  );
}

/**
 * A gRPC target: `host:port`, `[v6]:port`, or a grpc-js URI (`dns:///host:port`, `dns://server/host:port`,
 * `ipv4:`, `ipv6:`, `unix:`), so every service accepts what grpc-js can dial.
 */
export function checkGrpcTarget(label: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) throw new ConfigError(label, 'must not be empty');
  if (v.length > 1_024) throw new ConfigError(label, 'must be at most 1024 characters');
  if (/^unix:(\/\/)?\/?[^\s]+$/.test(v) || /^unix-abstract:[^\s]+$/.test(v)) return v;
  const uri = /^(dns|ipv4|ipv6):(\/\/[^/\s]*\/)?(.+)$/.exec(v);
  const hostPort = uri ? uri[3]! : v;
  const parts = uri ? hostPort.split(',') : [hostPort];
  for (const p of parts) {
    const m = /^(\[[0-9a-fA-F:.%\w]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(p);
    // dns: targets may omit the port (443 default); host-only is refused elsewhere (ambiguous for users).
    const hostOnly = uri && /^(\[[0-9a-fA-F:.%\w]+\]|[A-Za-z0-9._-]+)$/.test(p);
    if (!hostOnly && (!m || Number(m[2]) < 1 || Number(m[2]) > 65_535)) {
      throw new ConfigError(
        label,
        `must be host:port or a gRPC target such as dns:///host:port, got ${quote(v)}`,
      );
    }
  }
  return v;
}

export function grpcTarget(o: Base<string>): Setting<string> {
  return make(
    o,
    (raw) => raw.trim(),
    (v, label) => checkGrpcTarget(label, v),
    (v) => `\`${v}\``,
  );
}

/** A comma-separated list; each entry checked by `each`. */
export function list(
  o: Base<readonly string[]> & { readonly each?: (label: string, v: string) => string },
): Setting<readonly string[]> {
  return make(
    o,
    (raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    (v, label) => {
      if (!Array.isArray(v)) throw new ConfigError(label, 'must be a list');
      for (const e of v) o.each?.(label, e as string);
      return v;
    },
    (v) => (v.length === 0 ? '—' : `\`${v.join(',')}\``),
  );
}
