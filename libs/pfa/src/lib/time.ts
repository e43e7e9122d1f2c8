import { rtError } from '../errors';
import { fn } from './registry';

/**
 * `time.*`: calendar fields of a timestamp (seconds since the epoch, fractional allowed) in an IANA/Olson
 * zone, resolved with the ICU data of the Node runtime (`Intl.DateTimeFormat`). An empty zone string means
 * UTC. Days of the week run from 0 (Monday) to 6 (Sunday).
 */
const MIN_TS = -62135596800;
const MAX_TS = 253402300799;

const formatters = new Map<string, Intl.DateTimeFormat | null>();
function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(zone, f);
  }
  return f;
}

/** Milliseconds to add to UTC to get local wall-clock time in `zone` at the instant `ms`. */
function offsetMs(ms: number, zone: string, code: number, name: string): number {
  if (zone === '' || zone === 'UTC') return 0;
  const f = formatter(zone);
  if (!f) throw rtError(code, 'unrecognized timezone string', name);
  const whole = Math.floor(ms / 1000) * 1000;
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(whole))) p[part.type] = part.value;
  let year = Number(p['year']);
  if (p['era'] === 'BC' || p['era'] === 'B') year = 1 - year;
  const d = new Date(0);
  d.setUTCFullYear(year, Number(p['month']) - 1, Number(p['day']));
  d.setUTCHours(Number(p['hour']), Number(p['minute']), Number(p['second']), 0);
  return d.getTime() - whole;
}

/** A UTC Date whose UTC fields are the local wall-clock fields of `ts` in `zone`. */
function local(ts: number, zone: string, code: number, name: string): Date {
  const ms = ts * 1000;
  const off = offsetMs(ms, zone, code, name);
  if (!(ts >= MIN_TS && ts <= MAX_TS)) throw rtError(code + 1, 'timestamp out of range', name);
  return new Date(ms + off);
}

function dayOfYear(d: Date): number {
  const start = new Date(0);
  start.setUTCFullYear(d.getUTCFullYear(), 0, 1);
  return Math.floor((d.getTime() - start.getTime()) / 86400000) + 1;
}
const dayOfWeek = (d: Date) => (d.getUTCDay() + 6) % 7;

const FIELDS: [string, number, (d: Date) => number][] = [
  ['year', 40000, (d) => d.getUTCFullYear()],
  ['monthOfYear', 40010, (d) => d.getUTCMonth() + 1],
  ['dayOfYear', 40020, dayOfYear],
  ['dayOfMonth', 40030, (d) => d.getUTCDate()],
  ['dayOfWeek', 40040, dayOfWeek],
  ['hourOfDay', 40050, (d) => d.getUTCHours()],
  ['minuteOfHour', 40060, (d) => d.getUTCMinutes()],
  ['secondOfMinute', 40070, (d) => d.getUTCSeconds()],
];
for (const [field, code, get] of FIELDS) {
  const name = `time.${field}`;
  fn(name, 'double, string -> int', (ts: number, zone: string) => get(local(ts, zone, code, name)));
}

const RANGES: [string, number, (d: Date) => number][] = [
  ['isSecondOfMinute', 40090, (d) => d.getUTCSeconds()],
  ['isMinuteOfHour', 40100, (d) => d.getUTCMinutes()],
  ['isHourOfDay', 40110, (d) => d.getUTCHours()],
  ['isDayOfWeek', 40120, dayOfWeek],
  ['isDayOfMonth', 40130, (d) => d.getUTCDate()],
  ['isMonthOfYear', 40140, (d) => d.getUTCMonth() + 1],
  ['isDayOfYear', 40150, dayOfYear],
];
for (const [field, code, get] of RANGES) {
  const name = `time.${field}`;
  fn(
    name,
    'double, string, double, double -> boolean',
    (ts: number, zone: string, low: number, high: number) => {
      if (!(low < high)) throw rtError(code, 'bad time range', name);
      const v = get(local(ts, zone, code + 1, name));
      return low <= v && v < high;
    },
  );
}
fn(
  'time.isWeekend',
  'double, string -> boolean',
  (ts: number, zone: string) => dayOfWeek(local(ts, zone, 40160, 'time.isWeekend')) >= 5,
);
fn('time.isWorkHours', 'double, string -> boolean', (ts: number, zone: string) => {
  const d = local(ts, zone, 40170, 'time.isWorkHours');
  const h = d.getUTCHours();
  return dayOfWeek(d) < 5 && h >= 9 && h < 17;
});

fn(
  'time.makeTimestamp',
  'int, int, int, int, int, int, int, string -> double',
  (
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    milli: number,
    zone: string,
  ) => {
    const name = 'time.makeTimestamp';
    if (zone !== '' && zone !== 'UTC' && !formatter(zone))
      throw rtError(40080, 'unrecognized timezone string', name);
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, milli);
    const ok =
      year >= 1 &&
      year <= 9999 &&
      d.getUTCFullYear() === year &&
      d.getUTCMonth() === month - 1 &&
      d.getUTCDate() === day &&
      hour >= 0 &&
      hour < 24 &&
      minute >= 0 &&
      minute < 60 &&
      second >= 0 &&
      second < 60 &&
      milli >= 0 &&
      milli < 1000;
    if (!ok) throw rtError(40081, 'timestamp undefined for given parameters', name);
    // Wall clock to instant: subtract the offset, re-evaluated at the candidate instant (DST transitions).
    const wall = d.getTime();
    let t = wall - offsetMs(wall, zone, 40080, name);
    t = wall - offsetMs(t, zone, 40080, name);
    return t / 1000;
  },
);
