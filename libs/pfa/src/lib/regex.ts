import { rtError } from '../errors';
import type { Value } from '../values';
import { def } from './registry';

/**
 * `re.*`: regular expressions over strings (character positions) and bytes (byte positions). Patterns are
 * runtime values, so each call site caches the last pattern it compiled. Patterns are compiled in
 * Unicode mode, which rejects what the reference engine rejects (e.g. a back-reference to a group that
 * does not exist) instead of silently reading it as an octal escape.
 */
const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
};
const unlatin1 = (s: string): Uint8Array => {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};

interface Match {
  readonly index: number;
  readonly end: number;
  readonly groups: readonly ([number, number] | undefined)[];
  readonly text: readonly (string | undefined)[];
}

type Sig = 'string' | 'bytes';

function compiler(name: string, code: number): (pattern: string) => RegExp {
  let lastPattern: string | undefined;
  let last: RegExp | undefined;
  return (pattern) => {
    if (pattern === lastPattern && last) return last;
    try {
      last = new RegExp(pattern, 'gud');
    } catch (err) {
      throw rtError(code, `bad pattern: ${(err as Error).message}`, name);
    }
    lastPattern = pattern;
    return last;
  };
}

function* matches(re: RegExp, s: string, first = false): Generator<Match> {
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(s);
    if (!m) return;
    const ind = m.indices!;
    yield {
      index: m.index,
      end: m.index + m[0].length,
      groups: Array.from(ind, (g) => (g ? [g[0], g[1]] : undefined)),
      text: Array.from(m),
    };
    if (first) return;
    if (m[0].length === 0) re.lastIndex = m.index + 1;
  }
}

/** Character positions for strings with astral characters (JS indexes UTF-16 code units). */
function positioner(s: string): (i: number) => number {
  if (!/[\uD800-\uDFFF]/.test(s)) return (i) => i;
  return (i) => [...s.slice(0, i)].length;
}

function regexFn(
  name: string,
  code: number,
  ret: [string, string],
  body: (re: RegExp, h: string, kind: Sig, args: string[]) => Value,
): void {
  const three = name.startsWith('re.replace');
  const sigs = three
    ? [`string, string, string -> ${ret[0]}`, `bytes, bytes, bytes -> ${ret[1]}`]
    : [`string, string -> ${ret[0]}`, `bytes, bytes -> ${ret[1]}`];
  def(name, sigs, (info) => {
    const compile = compiler(name, code);
    if (info.sig === 0)
      return (h: string, p: string, r?: string) => body(compile(p), h, 'string', r === undefined ? [] : [r]);
    return (h: Uint8Array, p: Uint8Array, r?: Uint8Array) =>
      body(compile(latin1(p)), latin1(h), 'bytes', r === undefined ? [] : [latin1(r)]);
  });
}

const out = (kind: Sig, s: string): Value => (kind === 'bytes' ? unlatin1(s) : s);
const pair = (pos: (i: number) => number, g: [number, number] | undefined): Value[] =>
  g ? [pos(g[0]), pos(g[1])] : [-1, -1];

regexFn('re.index', 35000, ['[int]', '[int]'], (re, h) => {
  for (const m of matches(re, h, true)) {
    const pos = positioner(h);
    return [pos(m.index), pos(m.end)];
  }
  return [];
});
regexFn('re.contains', 35010, ['boolean', 'boolean'], (re, h) => {
  for (const _ of matches(re, h, true)) return true;
  return false;
});
regexFn('re.count', 35020, ['int', 'int'], (re, h) => {
  let n = 0;
  for (const _ of matches(re, h)) n++;
  return n;
});
regexFn('re.rindex', 35030, ['[int]', '[int]'], (re, h) => {
  let last: Match | undefined;
  for (const m of matches(re, h)) last = m;
  if (!last) return [];
  const pos = positioner(h);
  return [pos(last.index), pos(last.end)];
});
regexFn('re.groups', 35040, ['[[int]]', '[[int]]'], (re, h) => {
  for (const m of matches(re, h, true)) {
    const pos = positioner(h);
    return m.groups.map((g) => pair(pos, g));
  }
  return [];
});
regexFn('re.indexall', 35050, ['[[int]]', '[[int]]'], (re, h) => {
  const pos = positioner(h);
  return [...matches(re, h)].map((m) => [pos(m.index), pos(m.end)]);
});
regexFn('re.findall', 35060, ['[string]', '[bytes]'], (re, h, kind) =>
  [...matches(re, h)].map((m) => out(kind, m.text[0]!)),
);
regexFn('re.findfirst', 35070, ['(string|null)', '(bytes|null)'], (re, h, kind) => {
  for (const m of matches(re, h, true)) return out(kind, m.text[0]!);
  return null;
});
regexFn('re.findgroupsfirst', 35080, ['[string]', '[bytes]'], (re, h, kind) => {
  for (const m of matches(re, h, true)) return m.text.map((t) => out(kind, t ?? ''));
  return [];
});
regexFn('re.findgroupsall', 35090, ['[[string]]', '[[bytes]]'], (re, h, kind) =>
  [...matches(re, h)].map((m) => m.text.map((t) => out(kind, t ?? ''))),
);
regexFn('re.groupsall', 35100, ['[[[int]]]', '[[[int]]]'], (re, h) => {
  const pos = positioner(h);
  return [...matches(re, h)].map((m) => m.groups.map((g) => pair(pos, g)));
});
function replaceMatches(h: string, ms: readonly Match[], r: string): string {
  let s = '';
  let at = 0;
  for (const m of ms) {
    s += h.slice(at, m.index) + r;
    at = m.end;
  }
  return s + h.slice(at);
}
regexFn('re.replacefirst', 35110, ['string', 'bytes'], (re, h, kind, [r]) => {
  const ms = [...matches(re, h, true)];
  return out(kind, replaceMatches(h, ms, r!));
});
regexFn('re.replacelast', 35120, ['string', 'bytes'], (re, h, kind, [r]) => {
  const all = [...matches(re, h)];
  return out(kind, replaceMatches(h, all.slice(-1), r!));
});
regexFn('re.split', 35130, ['[string]', '[bytes]'], (re, h, kind) => {
  const pieces: Value[] = [];
  let at = 0;
  for (const m of matches(re, h)) {
    if (m.end === m.index && m.index === at && at !== 0) continue;
    pieces.push(out(kind, h.slice(at, m.index)));
    at = m.end;
  }
  pieces.push(out(kind, h.slice(at)));
  return pieces;
});
regexFn('re.replaceall', 35140, ['string', 'bytes'], (re, h, kind, [r]) =>
  out(kind, replaceMatches(h, [...matches(re, h)], r!)),
);
