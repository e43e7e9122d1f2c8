import { pmmlError } from '../errors';
import type { XmlElement } from './xml-parser';

/** Helpers for reading the element tree while compiling; each failure names the element. */

export function child(el: XmlElement, name: string): XmlElement | undefined {
  for (const c of el.children) if (c.name === name) return c;
  return undefined;
}

export function requiredChild(el: XmlElement, name: string): XmlElement {
  const c = child(el, name);
  if (!c) throw pmmlError(el, `missing required child element <${name}>`);
  return c;
}

export function children(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.name === name) out.push(c);
  return out;
}

export function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs[name];
}

export function requiredAttr(el: XmlElement, name: string): string {
  const v = el.attrs[name];
  if (v === undefined) throw pmmlError(el, `missing required attribute '${name}'`);
  return v;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a PMML REAL-NUMBER / NUMBER: decimal or scientific notation plus INF, -INF and NaN. Returns
 * undefined for anything else (Number() alone would accept '', '0x10' or ' ').
 */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (NUMBER_RE.test(t)) return Number(t);
  switch (t) {
    case 'INF':
    case 'Infinity':
    case '+INF':
    case '+Infinity':
      return Infinity;
    case '-INF':
    case '-Infinity':
      return -Infinity;
    case 'NaN':
      return NaN;
    default:
      return undefined;
  }
}

export function numberAttr(el: XmlElement, name: string): number | undefined;
export function numberAttr(el: XmlElement, name: string, dflt: number): number;
export function numberAttr(el: XmlElement, name: string, dflt?: number): number | undefined {
  const v = el.attrs[name];
  if (v === undefined) return dflt;
  const n = parseNumber(v);
  if (n === undefined) throw pmmlError(el, `attribute '${name}' is not a number: '${v}'`);
  return n;
}

export function requiredNumberAttr(el: XmlElement, name: string): number {
  const n = numberAttr(el, name);
  if (n === undefined) throw pmmlError(el, `missing required attribute '${name}'`);
  return n;
}

export function intAttr(el: XmlElement, name: string, dflt: number): number {
  const n = numberAttr(el, name, dflt);
  if (!Number.isInteger(n)) throw pmmlError(el, `attribute '${name}' is not an integer: '${el.attrs[name]}'`);
  return n;
}

export function boolAttr(el: XmlElement, name: string, dflt: boolean): boolean {
  const v = el.attrs[name];
  if (v === undefined) return dflt;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw pmmlError(el, `attribute '${name}' is not a boolean: '${v}'`);
}

export function enumAttr<T extends string>(el: XmlElement, name: string, allowed: readonly T[], dflt: T): T;
export function enumAttr<T extends string>(
  el: XmlElement,
  name: string,
  allowed: readonly T[],
): T | undefined;
export function enumAttr<T extends string>(
  el: XmlElement,
  name: string,
  allowed: readonly T[],
  dflt?: T,
): T | undefined {
  const v = el.attrs[name];
  if (v === undefined) return dflt;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw pmmlError(
    el,
    `attribute '${name}' has unsupported value '${v}' (expected one of ${allowed.join(', ')})`,
  );
}

/** Ignorable children (documentation and vendor extensions) that compilation skips everywhere. */
export function isIgnorable(el: XmlElement): boolean {
  return el.name === 'Extension' || el.name === 'Annotation';
}
