import type { FeatureValue } from '@modelserving/model-core';
import { parseNumber } from './xml/element';

/**
 * PMML data types and operational types, and the conversions between record values and typed field
 * values. At run time a field value is a plain JS value: number (integer/float/double and the numeric
 * date types), string (string, date, time, dateTime), boolean, or null for missing. `undefined` is used
 * internally as the "invalid value" marker and never escapes a field getter.
 */

export const DATA_TYPES = [
  'string',
  'integer',
  'float',
  'double',
  'boolean',
  'date',
  'time',
  'dateTime',
  'dateDaysSince[0]',
  'dateDaysSince[1960]',
  'dateDaysSince[1970]',
  'dateDaysSince[1980]',
  'timeSeconds',
  'dateTimeSecondsSince[0]',
  'dateTimeSecondsSince[1960]',
  'dateTimeSecondsSince[1970]',
  'dateTimeSecondsSince[1980]',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

export const OP_TYPES = ['categorical', 'ordinal', 'continuous'] as const;
export type OpType = (typeof OP_TYPES)[number];

/** True for types whose runtime values are JS numbers. */
export function isNumericType(dt: DataType): boolean {
  switch (dt) {
    case 'integer':
    case 'float':
    case 'double':
    case 'dateDaysSince[0]':
    case 'dateDaysSince[1960]':
    case 'dateDaysSince[1970]':
    case 'dateDaysSince[1980]':
    case 'timeSeconds':
    case 'dateTimeSecondsSince[0]':
    case 'dateTimeSecondsSince[1960]':
    case 'dateTimeSecondsSince[1970]':
    case 'dateTimeSecondsSince[1980]':
      return true;
    default:
      return false;
  }
}

export function isIntegralType(dt: DataType): boolean {
  return isNumericType(dt) && dt !== 'float' && dt !== 'double';
}

/** The default optype of a data type (used when a field does not declare one). */
export function defaultOpType(dt: DataType): OpType {
  return dt === 'float' || dt === 'double' || dt === 'integer' ? 'continuous' : 'categorical';
}

/** A converter from any record value to a value of one data type; undefined means "invalid". */
export type Coercer = (v: unknown) => FeatureValue | undefined;

function toDouble(v: unknown): FeatureValue | undefined {
  if (typeof v === 'number') return v !== v ? null : v;
  if (typeof v === 'string') {
    if (v.length === 0) return null;
    const n = parseNumber(v);
    if (n === undefined) return v.trim().length === 0 ? null : undefined;
    return n !== n ? null : n;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined) return null;
  return undefined;
}

function toFloat(v: unknown): FeatureValue | undefined {
  const d = toDouble(v);
  return typeof d === 'number' ? Math.fround(d) : d;
}

function toInteger(v: unknown): FeatureValue | undefined {
  const d = toDouble(v);
  if (typeof d === 'number' && !Number.isInteger(d)) return undefined;
  return d;
}

function toStr(v: unknown): FeatureValue | undefined {
  if (typeof v === 'string') return v.length === 0 ? null : v;
  if (typeof v === 'number') return v !== v ? null : formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return null;
  return undefined;
}

function toBool(v: unknown): FeatureValue | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (v !== v) return null;
    return v === 1 ? true : v === 0 ? false : undefined;
  }
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'true' || t === '1' || t === '1.0') return true;
    if (t === 'false' || t === '0' || t === '0.0') return false;
    return t.length === 0 ? null : undefined;
  }
  if (v === null || v === undefined) return null;
  return undefined;
}

const DATE_RE = /^(-?\d{4,})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$/;
const DATETIME_RE = /^(-?\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$/;

function patternCoercer(re: RegExp): Coercer {
  return (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'string') return undefined;
    const t = v.trim();
    if (t.length === 0) return null;
    return re.test(t) ? t : undefined;
  };
}

/** Days between 1970-01-01 and January 1 of `year` (proleptic Gregorian; setUTCFullYear handles years < 100). */
function epochDays(year: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return Math.round(d.getTime() / 86_400_000);
}

/** Days since 1970-01-01 of an ISO date string, or undefined. */
export function isoDateDays(s: string): number | undefined {
  const m = DATE_RE.exec(s.trim()) ?? DATETIME_RE.exec(s.trim());
  if (!m) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Math.round(d.getTime() / 86_400_000);
}

/** Seconds since 1970-01-01T00:00:00 of an ISO dateTime (or date) string, or undefined. */
export function isoDateTimeSeconds(s: string): number | undefined {
  const t = s.trim();
  const m = DATETIME_RE.exec(t);
  if (!m) {
    const days = isoDateDays(t);
    return days === undefined ? undefined : days * 86_400;
  }
  const days = isoDateDays(`${m[1]}-${m[2]}-${m[3]}`)!;
  return days * 86_400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Math.floor(Number(m[6]));
}

/** Seconds since midnight of an ISO time or dateTime string, or undefined. */
export function isoTimeSeconds(s: string): number | undefined {
  const t = s.trim();
  const m = TIME_RE.exec(t) ?? (DATETIME_RE.exec(t)?.slice(3) as RegExpExecArray | undefined);
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Math.floor(Number(m[3]));
}

function sinceCoercer(kind: 'days' | 'seconds', year: number): Coercer {
  const base = epochDays(year);
  return (v) => {
    if (typeof v === 'string' && /[-:]/.test(v.trim().slice(1))) {
      if (kind === 'days') {
        const d = isoDateDays(v);
        return d === undefined ? undefined : d - base;
      }
      const s = isoDateTimeSeconds(v);
      return s === undefined ? undefined : s - base * 86_400;
    }
    return toInteger(v);
  };
}

function timeSecondsCoercer(v: unknown): FeatureValue | undefined {
  if (typeof v === 'string' && v.includes(':')) return isoTimeSeconds(v);
  return toInteger(v);
}

const COERCERS: Record<DataType, Coercer> = {
  string: toStr,
  integer: toInteger,
  float: toFloat,
  double: toDouble,
  boolean: toBool,
  date: patternCoercer(DATE_RE),
  time: patternCoercer(TIME_RE),
  dateTime: patternCoercer(DATETIME_RE),
  'dateDaysSince[0]': sinceCoercer('days', 0),
  'dateDaysSince[1960]': sinceCoercer('days', 1960),
  'dateDaysSince[1970]': sinceCoercer('days', 1970),
  'dateDaysSince[1980]': sinceCoercer('days', 1980),
  timeSeconds: timeSecondsCoercer,
  'dateTimeSecondsSince[0]': sinceCoercer('seconds', 0),
  'dateTimeSecondsSince[1960]': sinceCoercer('seconds', 1960),
  'dateTimeSecondsSince[1970]': sinceCoercer('seconds', 1970),
  'dateTimeSecondsSince[1980]': sinceCoercer('seconds', 1980),
};

export function coercer(dt: DataType): Coercer {
  return COERCERS[dt];
}

export function coerce(dt: DataType, v: unknown): FeatureValue | undefined {
  return COERCERS[dt](v);
}

/** Like coerce, but an invalid value becomes missing (for computed values, which cannot be "invalid"). */
export function coerceOrNull(dt: DataType, v: unknown): FeatureValue {
  const r = COERCERS[dt](v);
  return r === undefined ? null : r;
}

/** Formats a number the way PMML string values spell it ("5" for 5, "0.25", "1.0E-7" style avoided). */
export function formatNumber(n: number): string {
  if (n === Infinity) return 'INF';
  if (n === -Infinity) return '-INF';
  return String(n);
}

/** Numeric view of any value: booleans are 0/1, numeric strings parse, anything else is null. */
export function toNumber(v: FeatureValue | undefined): number | null {
  if (typeof v === 'number') return v !== v ? null : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = parseNumber(v);
    return n === undefined || n !== n ? null : n;
  }
  return null;
}

/** String view of any value (null stays null). */
export function toText(v: FeatureValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  return v ? 'true' : 'false';
}

/** Boolean view of any value: numbers are true unless 0, strings 'true'/'false'. */
export function toBoolean(v: FeatureValue | undefined): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== v ? null : v !== 0;
  if (typeof v === 'string') {
    const b = toBool(v);
    return typeof b === 'boolean' ? b : null;
  }
  return null;
}

/**
 * Orders two non-null values of the same field: numerically when both are numbers (or booleans), by
 * string otherwise. Returns negative, zero or positive.
 */
export function compareValues(a: FeatureValue, b: FeatureValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a !== 'string' || typeof b !== 'string') {
    const x = toNumber(a);
    const y = toNumber(b);
    if (x !== null && y !== null) return x < y ? -1 : x > y ? 1 : 0;
  }
  const s = toText(a)!;
  const t = toText(b)!;
  return s < t ? -1 : s > t ? 1 : 0;
}

/** Equality of two values with numeric tolerance for mixed number/string representations. */
export function valuesEqual(a: FeatureValue, b: FeatureValue): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === typeof b) return false;
  return compareValues(a, b) === 0;
}

export function isDataType(s: string): s is DataType {
  return (DATA_TYPES as readonly string[]).includes(s);
}
