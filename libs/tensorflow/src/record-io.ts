import { invalidArgument, type DataToServe, type FeatureValue, type Tensor } from '@modelserving/model-core';
import { metadataList } from './metadata-list';

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

/** Metadata key listing the record fields of an input, comma-separated in column order. */
export const INPUTS_METADATA = 'inputs';

/** Metadata key for one input's fields when a model has several: `inputs.<signature key or tensor>`. */
export function inputMetadataKey(key: string): string {
  return `${INPUTS_METADATA}.${key}`;
}

/** The field list metadata gives an input: `inputs.<key>`, or `inputs` for the model's first input. */
export function listedFields(
  metadata: Readonly<Record<string, string>>,
  key: string,
  first: boolean,
): readonly string[] | undefined {
  return metadataList(metadata[inputMetadataKey(key)] ?? (first ? metadata[INPUTS_METADATA] : undefined));
}

/**
 * Field names for an input, from the descriptor's metadata or the model's signature, never guessed from
 * the input's width:
 * - metadata `inputs.<key>`, or `inputs` for the model's first input (comma-separated, trimmed; their
 *   count must equal the input's width when the graph fixes it);
 * - else, for an input of one value per row, its signature key: a model with one named input per feature
 *   (a Keras model with an `Input` per column) reads each from the feature of that name;
 * - else none: records must carry the input as a tensor.
 */
export function resolveFields(
  metadata: Readonly<Record<string, string>>,
  key: string,
  first: boolean,
  width: number | undefined,
): readonly string[] | undefined {
  const fields = listedFields(metadata, key, first);
  if (fields !== undefined) {
    if (width !== undefined && fields.length !== width) {
      throw invalidArgument(
        `metadata ${INPUTS_METADATA} lists ${fields.length} fields but input '${shown(key)}' takes ${width} features`,
      );
    }
    return fields;
  }
  return width === 1 && key !== '' ? [key] : undefined;
}

/** A model- or record-supplied name as it appears in a message: bounded, since both are untrusted. */
export function shown(name: string): string {
  return name.length <= MAX_SHOWN ? name : `${name.slice(0, MAX_SHOWN)}…`;
}
const MAX_SHOWN = 64;

/** A record's tensor shape for messages: the first dimensions only. */
function shapeText(shape: readonly number[]): string {
  return shape.length <= 8
    ? `[${shape.join(', ')}]`
    : `[${shape.slice(0, 8).join(', ')}, …] (${shape.length} dims)`;
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
      `the tensor for input '${shown(b.key)}' has shape ${shapeText(t.shape)}; the input takes rows of ${b.width} values ([n, ${b.width}])`,
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
        `the tensor for input '${shown(b.key)}' has shape ${shapeText(t.shape)}; the input needs ${rows} row(s) of ${b.width} values`,
      );
    }
    const d = t.data;
    for (let i = 0; i < size; i++) {
      const v = d[i];
      const x = typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
      if (Number.isNaN(x) && typeof v !== 'number')
        throw invalidArgument(`the tensor for input '${shown(b.key)}': value ${i} is not a number`);
      buf[offset + i] = x;
    }
    return;
  }
  const fields = b.fields;
  if (!fields) {
    // The graph does not name the columns of this input, and guessing them (from the width, say) would
    // score the wrong features without a word: the deployer has to say which features go where.
    throw invalidArgument(
      `input '${shown(b.key)}' (${b.width} values) has no feature names: deploy the model with metadata ` +
        `'${INPUTS_METADATA}' (or '${inputMetadataKey(shown(b.key))}') listing its ${b.width} feature names, ` +
        `comma-separated in column order, or send a tensor named '${shown(b.key)}'`,
    );
  }
  if (rows !== 1)
    throw invalidArgument(
      `input '${shown(b.key)}': features are one row, but another input's tensor has ${rows}`,
    );
  const f = record.features;
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i]!;
    buf[offset + i] = numeric(f[name], name);
  }
}

function numeric(v: FeatureValue | undefined, field: string): number {
  if (typeof v === 'number') return v;
  if (v === undefined || v === null) throw invalidArgument(`field '${shown(field)}' is missing`);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const x = Number(v);
  // The value is record content: the message names the field only.
  if (v.trim() === '' || Number.isNaN(x)) throw invalidArgument(`field '${shown(field)}' is not a number`);
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
