import {
  WINE_FIELDS,
  invalidArgument,
  type DataToServe,
  type FeatureValue,
  type Tensor,
} from '@modelserving/model-core';

/**
 * Column names of the wine-quality data (the seed's TensorFlow examples). An input of exactly 11 features
 * with no `inputs` metadata reads these fields, so the seed's wine models serve records as they come.
 */
export const WINE_FEATURES: readonly string[] = WINE_FIELDS;

/** How one graph input is filled from a record. */
export interface InputBinding {
  /** Signature key (SavedModel) or tensor name (frozen graph); a record tensor of this name feeds it. */
  readonly key: string;
  /** Graph node name; also accepted as a record tensor name. */
  readonly node: string;
  readonly width: number;
  /** Record fields in column order, when the input can be read from named features. */
  readonly fields?: readonly string[];
}

/**
 * Field names for an input: metadata `inputs.<key>`, or `inputs` for a model's only/first input
 * (comma-separated, trimmed), else the wine columns when the width is 11.
 */
export function resolveFields(
  metadata: Readonly<Record<string, string>>,
  key: string,
  first: boolean,
  width: number | undefined,
): readonly string[] | undefined {
  const listed = metadata[`inputs.${key}`] ?? (first ? metadata['inputs'] : undefined);
  if (listed !== undefined) {
    const fields = listed
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f.length > 0);
    if (width !== undefined && fields.length !== width) {
      throw invalidArgument(
        `metadata inputs lists ${fields.length} fields but input '${key}' takes ${width} features`,
      );
    }
    return fields;
  }
  return width === WINE_FEATURES.length ? WINE_FEATURES : undefined;
}

/**
 * How many rows a record carries for `b`: a tensor named after the input (or the only tensor, for a
 * one-input model) may hold a batch, [n, width] as an OIP client sends it; features are one row.
 */
export function recordRows(record: DataToServe, b: InputBinding, single: boolean): number {
  const t = findTensor(record.tensors, b, single);
  if (!t) return 1;
  const size = t.shape.reduce((x, y) => x * y, 1);
  const last = t.shape[t.shape.length - 1];
  if (size === 0 || size % b.width !== 0 || (size !== b.width && last !== b.width)) {
    throw invalidArgument(
      `tensor '${t.name}' has shape [${t.shape.join(', ')}]; input '${b.key}' takes rows of ${b.width} values ([n, ${b.width}])`,
    );
  }
  return size / b.width;
}

/**
 * Writes a record's `rows` rows for `b` into `buf` at `offset` (rows from recordRows). A tensor named after
 * the input (or the only tensor, for a one-input model) wins over features. Throws INVALID_ARGUMENT naming
 * the bad field.
 */
export function fillRows(
  record: DataToServe,
  b: InputBinding,
  single: boolean,
  buf: Float32Array,
  offset: number,
  rows = 1,
): void {
  const t = findTensor(record.tensors, b, single);
  if (t) {
    const size = t.shape.reduce((x, y) => x * y, 1);
    if (size !== rows * b.width) {
      throw invalidArgument(
        `tensor '${t.name}' has shape [${t.shape.join(', ')}]; input '${b.key}' needs ${rows} row(s) of ${b.width} values`,
      );
    }
    const d = t.data;
    for (let i = 0; i < size; i++) {
      const v = d[i];
      const x = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
      if (Number.isNaN(x) && typeof v !== 'number')
        throw invalidArgument(`tensor '${t.name}' value ${i} is not a number`);
      buf[offset + i] = x;
    }
    return;
  }
  const fields = b.fields;
  if (!fields) {
    throw invalidArgument(
      `input '${b.key}' (${b.width} features) has no field names: send a tensor named '${b.key}' or set metadata 'inputs'`,
    );
  }
  if (rows !== 1)
    throw invalidArgument(`input '${b.key}': features are one row, but another input's tensor has ${rows}`);
  const f = record.features;
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i]!;
    buf[offset + i] = numeric(f[name], name);
  }
}

function numeric(v: FeatureValue | undefined, field: string): number {
  if (typeof v === 'number') return v;
  if (v === undefined || v === null) throw invalidArgument(`field '${field}' is missing`);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const x = Number(v);
  if (v.trim() === '' || Number.isNaN(x)) throw invalidArgument(`field '${field}' is '${v}', not a number`);
  return x;
}

function findTensor(
  tensors: readonly Tensor[] | undefined,
  b: InputBinding,
  single: boolean,
): Tensor | undefined {
  if (!tensors || tensors.length === 0) return undefined;
  for (const t of tensors) if (t.name === b.key || t.name === b.node) return t;
  return single && tensors.length === 1 ? tensors[0] : undefined;
}
