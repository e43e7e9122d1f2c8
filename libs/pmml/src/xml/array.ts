import { pmmlError } from '../errors';
import { parseNumber } from './element';
import type { XmlElement } from './xml-parser';

/**
 * Splits the text of a PMML Array: whitespace-separated tokens, where string entries may be quoted with
 * double quotes (and `\"` escapes a quote inside).
 */
export function splitArrayText(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"') {
      let s = '';
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && text[i + 1] === '"') {
          s += '"';
          i += 2;
        } else s += text[i++];
      }
      i++;
      out.push(s);
    } else {
      let j = i;
      while (j < n && !/\s/.test(text[j]!)) j++;
      out.push(text.slice(i, j));
      i = j;
    }
  }
  return out;
}

/** Entries of an Array element as strings, checking the declared length `n` when present. */
export function arrayStrings(el: XmlElement): string[] {
  const items = splitArrayText(el.text);
  const n = el.attrs['n'];
  if (n !== undefined && Number(n) !== items.length) {
    throw pmmlError(el, `declares n=${n} entries but has ${items.length}`);
  }
  return items;
}

/** Entries of a numeric Array (type int/real, or NUM-ARRAY / REAL-ARRAY / INT-ARRAY elements). */
export function arrayNumbers(el: XmlElement): Float64Array {
  const items = arrayStrings(el);
  const out = new Float64Array(items.length);
  items.forEach((s, i) => {
    const x = parseNumber(s);
    if (x === undefined) throw pmmlError(el, `entry '${s}' is not a number`);
    out[i] = x;
  });
  return out;
}

/** Finds the first Array-like child (Array, REAL-ARRAY, INT-ARRAY, NUM-ARRAY, ...). */
export function findArray(el: XmlElement): XmlElement | undefined {
  return el.children.find((c) => c.name === 'Array' || /-ARRAY$/.test(c.name));
}

/**
 * Reads a dense numeric vector from an element holding either an Array or a sparse array
 * (REAL-SparseArray / INT-SparseArray with Indices and Entries, 1-based indices).
 */
export function readVector(el: XmlElement): Float64Array {
  const dense = findArray(el);
  if (dense) return arrayNumbers(dense);
  const sparse = el.children.find((c) => /SparseArray$/.test(c.name));
  if (!sparse) throw pmmlError(el, 'missing the array of values');
  const n = Number(sparse.attrs['n'] ?? '0');
  const defaultValue = parseNumber(sparse.attrs['defaultValue'] ?? '0') ?? 0;
  const indicesEl = sparse.children.find((c) => c.name === 'Indices');
  const entriesEl = sparse.children.find((c) => /Entries$/.test(c.name));
  const indices = indicesEl ? arrayNumbers(indicesEl) : new Float64Array(0);
  const entries = entriesEl ? arrayNumbers(entriesEl) : new Float64Array(0);
  if (indices.length !== entries.length) throw pmmlError(sparse, 'Indices and Entries differ in length');
  let size = n;
  for (const i of indices) size = Math.max(size, i);
  const out = new Float64Array(size).fill(defaultValue);
  indices.forEach((idx, k) => {
    if (!Number.isInteger(idx) || idx < 1) throw pmmlError(sparse, `index ${idx} is not a positive integer`);
    out[idx - 1] = entries[k]!;
  });
  return out;
}

/**
 * Reads a PMML Matrix as dense rows: either one Array per row, or MatCells (1-based row/col) over
 * diagDefault / offDiagDefault; kind="diagonal" holds one Array of the diagonal, kind="symmetric" the
 * lower triangle (row i has i+1 entries).
 */
export function readMatrix(el: XmlElement): number[][] {
  const kind = el.attrs['kind'] ?? 'any';
  const arrays = el.children.filter((c) => c.name === 'Array' || /-ARRAY$/.test(c.name));
  const cells = el.children.filter((c) => c.name === 'MatCell');
  const num = (s: string | undefined, d: number) => (s === undefined ? d : (parseNumber(s) ?? d));
  if (arrays.length > 0) {
    const rows = arrays.map((a) => Array.from(arrayNumbers(a)));
    if (kind === 'diagonal') {
      const d = rows[0]!;
      return d.map((x, i) => d.map((_, j) => (i === j ? x : 0)));
    }
    if (kind === 'symmetric') {
      const n = rows.length;
      return Array.from({ length: n }, (_, i) =>
        Array.from({ length: n }, (_, j) => (j <= i ? rows[i]![j] : rows[j]![i]) ?? 0),
      );
    }
    return rows;
  }
  const nbRows = num(el.attrs['nbRows'], 0);
  const nbCols = num(el.attrs['nbCols'], 0);
  let maxRow = nbRows;
  let maxCol = nbCols;
  for (const c of cells) {
    maxRow = Math.max(maxRow, num(c.attrs['row'], 0));
    maxCol = Math.max(maxCol, num(c.attrs['col'], 0));
  }
  const diag = num(el.attrs['diagDefault'], 0);
  const off = num(el.attrs['offDiagDefault'], 0);
  const m = Array.from({ length: maxRow }, (_, i) =>
    Array.from({ length: maxCol }, (_, j) => (i === j ? diag : off)),
  );
  for (const c of cells) {
    const i = num(c.attrs['row'], 0) - 1;
    const j = num(c.attrs['col'], 0) - 1;
    const x = parseNumber(c.text.trim());
    if (i < 0 || j < 0 || x === undefined) throw pmmlError(c, 'needs row, col and a numeric value');
    m[i]![j] = x;
    if (kind === 'symmetric' && m[j] && j < maxRow && i < maxCol) m[j]![i] = x;
  }
  return m;
}
