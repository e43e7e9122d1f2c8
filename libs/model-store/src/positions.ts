import { invalidArgument } from '@modelserving/model-core';

/**
 * Positions are Redis stream ids, `<ms>-<seq>`, in every store (the embedded store mints ids the same way)
 * so a position means the same thing whichever store produced it. `''` is "before the first event".
 */
const POSITION_RE = /^(0|[1-9][0-9]*)-(0|[1-9][0-9]*)$/;

export function isPosition(value: string): boolean {
  return POSITION_RE.test(value);
}

/** Throws INVALID_ARGUMENT unless `value` is `''` or `<ms>-<seq>`. */
export function validatePosition(what: string, value: string): string {
  if (value !== '' && !isPosition(value)) {
    throw invalidArgument(`${what} '${value}' is not a model-stream position (expected '' or '<ms>-<seq>')`);
  }
  return value;
}

/**
 * Orders positions: negative when `a` is before `b`, 0 when equal, positive when after. `''` sorts first.
 * The parts are compared as digit strings (length, then lexically) so 64-bit sequence numbers never lose
 * precision in a JS number.
 */
export function comparePositions(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return -1;
  if (b === '') return 1;
  const [am, as] = splitPosition(a);
  const [bm, bs] = splitPosition(b);
  return compareDigits(am, bm) || compareDigits(as, bs);
}

/** The epoch-milliseconds part of a position (the time the store appended the event). */
export function positionTimeMs(position: string): number {
  if (position === '') return 0;
  return Number(splitPosition(position)[0]);
}

/**
 * The position after `last` for an event appended at `nowMs`, exactly as Redis mints stream ids: the time if
 * it moved forward, else the same millisecond with the next sequence number (clocks may step back).
 */
export function nextPosition(last: string, nowMs: number): string {
  const ms = Math.max(0, Math.floor(nowMs));
  if (last === '') return `${ms}-0`;
  const [lm, ls] = splitPosition(last);
  if (compareDigits(String(ms), lm) > 0) return `${ms}-0`;
  return `${lm}-${(BigInt(ls) + 1n).toString()}`;
}

function splitPosition(p: string): [string, string] {
  const m = POSITION_RE.exec(p);
  if (!m) throw invalidArgument(`'${p}' is not a model-stream position (expected '<ms>-<seq>')`);
  return [m[1] as string, m[2] as string];
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
