import { readFileSync } from 'node:fs';
import type { Record as RecordMsg, ServingRequest, Value } from '@modelserving/contracts';
import { parseCsvRecords } from '@modelserving/csv';
import { Code, ServingError } from '@modelserving/model-core';
import { sharedPath } from './shared-path';

/** The seed's wine DataProvider: red wines from the UCI Wine Quality data, scored as data type `wine`. */
export const WINE_DATA_TYPE = 'wine';

/**
 * Column names of the wine CSV's features, in file order (quality follows them). Demo data, so it lives in
 * the CLI (and, for tests, in @modelserving/testing), never in a model format: the seed's wine TensorFlow
 * models learn these 11 columns in this order, and are deployed with them as metadata `inputs`
 * (WINE_TENSORFLOW_METADATA).
 */
export const WINE_FIELDS = Object.freeze([
  'fixed acidity',
  'volatile acidity',
  'citric acid',
  'residual sugar',
  'chlorides',
  'free sulfur dioxide',
  'total sulfur dioxide',
  'density',
  'pH',
  'sulphates',
  'alcohol',
] as const);

/** The wine CSV's columns: the features, then `quality`. */
export const WINE_COLUMNS = Object.freeze([...WINE_FIELDS, 'quality'] as const);

/**
 * Descriptor metadata for the seed's wine TensorFlow models: their input is the 11 features in CSV order.
 * A TensorFlow model's record fields come from its signature or this metadata, never from its width.
 */
export const WINE_TENSORFLOW_METADATA: Readonly<Record<string, string>> = Object.freeze({
  inputs: WINE_FIELDS.join(','),
});

export interface WineRecord {
  /** 1-based line number in the file, for messages. */
  readonly line: number;
  /** The features as a wire record, built once and reused for every request of this wine. */
  readonly record: RecordMsg;
  /** The quality the wine was rated (3–8), to compare with predictions. */
  readonly quality: number;
}

export function wineCsvPath(): string {
  return sharedPath('fixtures', 'wine', 'winequality_red.csv');
}

/** Parses the wine CSV (`;`-separated, no header). Bad lines are reported with their number. */
export function parseWineCsv(text: string, source = 'wine CSV'): WineRecord[] {
  const out: WineRecord[] = [];
  const width = WINE_COLUMNS.length;
  let records;
  try {
    records = parseCsvRecords(text, { delimiter: ';' });
  } catch (err) {
    throw new ServingError(Code.INVALID_ARGUMENT, `${source}: ${(err as Error).message}`, { cause: err });
  }
  for (const { cells, line } of records) {
    // A line of spaces is blank to a reader of the file, not a malformed wine.
    if (cells.length === 1 && cells[0]!.trim() === '') continue;
    if (cells.length !== width) {
      throw new ServingError(
        Code.INVALID_ARGUMENT,
        `${source}:${line}: expected ${width} ';'-separated values, got ${cells.length}`,
      );
    }
    const features: { [key: string]: Value } = {};
    for (let c = 0; c < WINE_FIELDS.length; c++) {
      features[WINE_FIELDS[c]!] = { number: cellNumber(cells[c]!, source, line, WINE_FIELDS[c]!) };
    }
    out.push({
      line,
      record: { features, tensors: [] },
      quality: cellNumber(cells[width - 1]!, source, line, 'quality'),
    });
  }
  return out;
}

function cellNumber(cell: string, source: string, line: number, field: string): number {
  const t = cell.trim();
  const n = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(n))
    throw new ServingError(Code.INVALID_ARGUMENT, `${source}:${line}: ${field} '${cell}' is not a number`);
  return n;
}

/** Reads the wine CSV from ../shared (or `path`); NOT_FOUND with the path when it is not there. */
export function readWineCsv(path = wineCsvPath()): WineRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? Code.NOT_FOUND : Code.FAILED_PRECONDITION;
    throw new ServingError(code, `cannot read the wine data at ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return parseWineCsv(text, path);
}

/** The ServingRequest for one wine; the record is shared, only the guid is new. */
export function wineRequest(wine: WineRecord, guid: string, modelName = ''): ServingRequest {
  return { guid, dataType: WINE_DATA_TYPE, data: wine.record, modelName, timeoutMs: 0 };
}

/**
 * Made-up wines within the ranges of the red-wine data, for when ../shared is absent: the demo still
 * exercises the whole path, but there is no rated quality to compare with (NaN).
 */
export function syntheticWines(n: number, seed = 1): WineRecord[] {
  const ranges: readonly (readonly [number, number])[] = [
    [4.6, 15.9],
    [0.12, 1.58],
    [0, 1],
    [0.9, 15.5],
    [0.012, 0.611],
    [1, 72],
    [6, 289],
    [0.99, 1.004],
    [2.74, 4.01],
    [0.33, 2],
    [8.4, 14.9],
  ];
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out: WineRecord[] = [];
  for (let i = 0; i < n; i++) {
    const features: { [key: string]: Value } = {};
    WINE_FIELDS.forEach((f, c) => {
      const [lo, hi] = ranges[c]!;
      features[f] = { number: Number((lo + rnd() * (hi - lo)).toFixed(4)) };
    });
    out.push({ line: 0, record: { features, tensors: [] }, quality: Number.NaN });
  }
  return out;
}
