import type { Record as RecordMsg, ServingRequest, Value } from '@modelserving/contracts';
import { UsageError } from './errors';

export interface PredictInput {
  readonly dataType: string;
  readonly modelName?: string;
  readonly guid?: string;
  readonly timeoutMs?: number;
}

const MISSING: Value = { missing: true };

/** One JSON scalar as a feature value; `null` is a missing value. Anything nested is refused by name. */
function jsonValue(field: string, v: unknown): Value {
  switch (typeof v) {
    case 'number':
      if (!Number.isFinite(v)) throw new UsageError(`feature '${field}': ${v} is not a finite number`);
      return { number: v };
    case 'string':
      return { string: v };
    case 'boolean':
      return { boolean: v };
    default:
      if (v === null) return MISSING;
      throw new UsageError(
        `feature '${field}' must be a number, string, boolean or null, got ${Array.isArray(v) ? 'an array' : typeof v}`,
      );
  }
}

/** `{"field": 1.5, ...}` → a record's features. */
export function recordFromJson(text: string): RecordMsg {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--json is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('--json must be a JSON object of feature names to values, e.g. {"alcohol": 9.4}');
  }
  const features: { [key: string]: Value } = {};
  let n = 0;
  for (const [k, v] of Object.entries(parsed)) {
    features[k] = jsonValue(k, v);
    n++;
  }
  if (n === 0) throw new UsageError('--json has no features');
  return { features, tensors: [] };
}

/** One CSV cell: a number when it reads as one, empty/NA/N/A as missing, otherwise a string. */
export function csvCellValue(cell: string): Value {
  const t = cell.trim();
  if (t === '' || t === 'NA' || t === 'N/A') return MISSING;
  const n = Number(t);
  return Number.isFinite(n) ? { number: n } : { string: t };
}

/** Splits a CSV row on `;` when it has one (the wine data's separator), else on `,`. */
export function splitCsvRow(row: string): string[] {
  return row.split(row.includes(';') ? ';' : ',');
}

/** `--csv-row` with `--columns` (comma-separated names, in row order) → a record's features. */
export function recordFromCsvRow(row: string, columns: readonly string[]): RecordMsg {
  if (columns.length === 0)
    throw new UsageError('--csv-row needs --columns (comma-separated feature names in row order)');
  const cells = splitCsvRow(row);
  if (cells.length !== columns.length) {
    throw new UsageError(
      `--csv-row has ${cells.length} values but --columns names ${columns.length} features`,
    );
  }
  const features: { [key: string]: Value } = {};
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!;
    if (name in features) throw new UsageError(`--columns names '${name}' twice`);
    features[name] = csvCellValue(cells[i]!);
  }
  return { features, tensors: [] };
}

/** `a,b , c` → ['a','b','c']; names may contain spaces ("fixed acidity"). */
export function parseColumns(text: string): string[] {
  const cols = text.split(',').map((c) => c.trim());
  if (cols.some((c) => c.length === 0)) throw new UsageError(`--columns has an empty name: '${text}'`);
  return cols;
}

export function servingRequest(input: PredictInput, record: RecordMsg): ServingRequest {
  return {
    guid: input.guid ?? '',
    dataType: input.dataType,
    data: record,
    modelName: input.modelName ?? '',
    timeoutMs: input.timeoutMs ?? 0,
  };
}
