import {
  Code,
  ModelType,
  ServingError,
  tensorSize,
  type DataToServe,
  type FeatureValue,
  type FieldSpec,
  type Model,
  type ModelFactory,
  type ModelSignature,
  type ModelToServe,
  type ScoreOutput,
  type TensorDatatype,
} from '@modelserving/model-core';
import { PfaEngine, type PfaEngineOptions } from './compiler/engine';
import { PfaRuntimeError, PfaSemanticError, PfaTimeoutError, PfaUserError } from './errors';
import { toAvroJson } from './json/avro-json';
import type { AvroType, RecordType } from './types/avro-type';
import { makeRecord, recordTypeOf, type Value } from './values';

/** Avro field names allow [A-Za-z0-9_] only; features such as "fixed acidity" map to "fixed_acidity". */
export function avroFieldName(feature: string): string {
  return feature.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
}

/** A served PFA model: one compiled engine (method map) plus its document. */
export class PfaModel implements Model {
  readonly type = ModelType.PFA;
  readonly runtime = 'pfa';
  private readonly aliases = new Map<string, string>();

  constructor(
    readonly engine: PfaEngine,
    private readonly bytes: Uint8Array,
  ) {
    if (engine.method !== 'map')
      throw new ServingError(
        Code.INVALID_ARGUMENT,
        `PFA: method "${engine.method}" cannot serve one result per record (use "map")`,
      );
  }

  score(input: DataToServe): ScoreOutput {
    const value = this.inputValue(input);
    let out: Value;
    try {
      out = this.engine.action(value);
    } catch (err) {
      throw toServingError(err);
    }
    return this.outputOf(out);
  }

  scoreBatch(inputs: readonly DataToServe[]): (ScoreOutput | Error)[] {
    return inputs.map((i) => {
      try {
        return this.score(i);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    });
  }

  signature(): ModelSignature {
    const t = this.engine.inputType;
    const inputs: FieldSpec[] =
      t.kind === 'record' ? t.fields.map((f) => fieldSpec(f.name, f.type)) : [fieldSpec('input', t)];
    const o = this.engine.outputType;
    if (o.kind === 'record') return { inputs, outputs: o.fields.map((f) => fieldSpec(f.name, f.type)) };
    // A non-record output is the prediction itself: name it as the target, so consumers that read results
    // by column (`modelserving score`) find it in ScoreOutput.value, where outputOf puts it.
    return { inputs, outputs: [fieldSpec('value', o)], target: 'value' };
  }

  toBytes(): Uint8Array {
    return this.bytes;
  }

  cleanup(): void {
    // Closures only; nothing to release.
  }

  private inputValue(input: DataToServe): Value {
    const t = this.engine.inputType;
    if (t.kind === 'record') return this.recordInput(t, input);
    // A primitive or array input takes the record's single feature or tensor.
    const tensor = input.tensors?.[0];
    if (tensor) {
      const data = Array.from(tensor.data as ArrayLike<number | string | boolean>);
      if (t.kind === 'array') return convert(t.items, data as FeatureValue[], 'input');
      if (tensorSize(tensor.shape) !== 1)
        throw invalid(`tensor '${tensor.name}' must hold one value for input type ${t.kind}`);
      return convert(t, data[0] as FeatureValue, 'input');
    }
    const values = Object.values(input.features);
    if (values.length !== 1)
      throw invalid(`the input type is ${t.kind}: send exactly one feature (got ${values.length})`);
    return convert(t, values[0]!, 'input');
  }

  /**
   * The record input mapping, precompiled once per model: one reader per field with its converter
   * specialised to the field type, so scoring allocates only the input record itself.
   */
  private recordInput(t: RecordType, input: DataToServe): Value {
    const build = this.builder ?? (this.builder = this.compileRecordInput(t));
    return build(input);
  }

  private builder?: (input: DataToServe) => Value;

  private compileRecordInput(t: RecordType): (input: DataToServe) => Value {
    const readers = t.fields.map((f) => {
      const name = f.name;
      const conv = converter(f.type, name);
      const hasDefault = f.default !== undefined;
      const def = f.default as Value;
      // The feature name this field was last found under ("fixed acidity" for fixed_acidity); read first,
      // since clients keep sending the same names (a record sending both spellings gets the alias's value).
      let alias: string | undefined;
      return (input: DataToServe): Value => {
        const fs = input.features;
        let v: FeatureValue | undefined = alias !== undefined ? fs[alias] : undefined;
        if (v === undefined) v = fs[name];
        if (v === undefined) {
          v = this.lookup(name, input);
          alias = this.aliases.get(name);
        }
        if (v === undefined) {
          if (hasDefault) return def;
          v = null;
        }
        return conv(v);
      };
    });
    const n = readers.length;
    const names = t.fields.map((f) => f.name);
    const typeName = t.fullName;
    return (input) => {
      const fields: Record<string, Value> = {};
      for (let i = 0; i < n; i++) fields[names[i]!] = readers[i]!(input);
      return makeRecord(typeName, fields);
    };
  }

  /** A field not among the features by its own name: a one-value tensor, or a feature whose Avro-safe name it is. */
  private lookup(field: string, input: DataToServe): FeatureValue | undefined {
    const tensorValue = (name: string): FeatureValue | undefined => {
      for (const tensor of input.tensors ?? []) {
        if (tensor.name === name && tensorSize(tensor.shape) === 1) return tensor.data[0] as FeatureValue;
      }
      return undefined;
    };
    const direct = tensorValue(field);
    if (direct !== undefined) return direct;
    const get = (k: string) =>
      Object.prototype.hasOwnProperty.call(input.features, k) ? input.features[k] : tensorValue(k);
    const known = this.aliases.get(field);
    if (known !== undefined) {
      const v = get(known);
      if (v !== undefined) return v;
    }
    const names = [...Object.keys(input.features), ...(input.tensors ?? []).map((x) => x.name)];
    for (const k of names) {
      if (avroFieldName(k) === field) {
        const v = get(k);
        if (v === undefined) continue;
        this.aliases.set(field, k);
        return v;
      }
    }
    return undefined;
  }

  private outputOf(out: Value): ScoreOutput {
    const t = this.engine.outputType;
    if (t.kind === 'record' && recordTypeOf(out) !== undefined) {
      const r = out as Record<string, Value>;
      const outputs: Record<string, FeatureValue> = {};
      for (const f of t.fields) outputs[f.name] = scalar(f.type, r[f.name]!);
      const first = t.fields[0];
      return { value: first ? outputs[first.name]! : null, outputs };
    }
    return { value: scalar(t, out) };
  }
}

/** Scalars pass through; anything structured is given as its Avro JSON text. */
function scalar(t: AvroType, v: Value): FeatureValue {
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return JSON.stringify(toAvroJson(t, v));
}

/** A converter specialised to the field type: the common scalar cases inline, the rest via `convert`. */
function converter(t: AvroType, name: string): (v: FeatureValue | FeatureValue[]) => Value {
  const slow = (v: FeatureValue | FeatureValue[]) => convert(t, v, name);
  switch (t.kind) {
    case 'double':
      return (v) => (typeof v === 'number' ? v : slow(v));
    case 'int':
    case 'long':
      return (v) => (typeof v === 'number' && Number.isInteger(v) ? v : slow(v));
    case 'string':
      return (v) => (typeof v === 'string' ? v : slow(v));
    default:
      return slow;
  }
}

function convert(t: AvroType, v: FeatureValue | FeatureValue[], name: string): Value {
  if (Array.isArray(v)) {
    if (t.kind !== 'array' && !(t.kind === 'union'))
      throw invalid(`feature '${name}' is an array, expected ${t.kind}`);
    return v.map((x) => convert(t.kind === 'array' ? t.items : t, x, name));
  }
  switch (t.kind) {
    case 'int':
    case 'long':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      break;
    case 'float':
      if (typeof v === 'number') return Math.fround(v);
      break;
    case 'double':
      if (typeof v === 'number') return v;
      break;
    case 'string':
      if (typeof v === 'string') return v;
      break;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      break;
    case 'null':
      if (v === null) return null;
      break;
    case 'enum':
      if (typeof v === 'string' && t.symbols.includes(v)) return v;
      break;
    case 'union':
      if (v === null && t.types.some((x) => x.kind === 'null')) return null;
      for (const b of t.types) {
        if (b.kind === 'null') continue;
        try {
          return convert(b, v, name);
        } catch {
          // try the next branch
        }
      }
      break;
    default:
      break;
  }
  throw invalid(`feature '${name}' = ${JSON.stringify(v)} does not fit the PFA input type ${t.kind}`);
}

function fieldSpec(name: string, t: AvroType): FieldSpec {
  const dt: Record<string, TensorDatatype> = {
    int: 'INT32',
    long: 'INT64',
    float: 'FP32',
    double: 'FP64',
    boolean: 'BOOL',
  };
  const base = t.kind === 'union' ? (t.types.find((x) => x.kind !== 'null') ?? t) : t;
  const spec: FieldSpec = { name, datatype: dt[base.kind] ?? 'BYTES', shape: [-1] };
  return base.kind === 'enum' ? { ...spec, values: base.symbols } : spec;
}

function invalid(message: string): ServingError {
  return new ServingError(Code.INVALID_ARGUMENT, `PFA: ${message}`);
}

function toServingError(err: unknown): ServingError {
  if (err instanceof ServingError) return err;
  if (err instanceof PfaTimeoutError)
    return new ServingError(Code.RESOURCE_EXHAUSTED, err.message, { cause: err });
  if (err instanceof PfaRuntimeError || err instanceof PfaUserError)
    return new ServingError(Code.INVALID_ARGUMENT, `PFA runtime error: ${err.message}`, { cause: err });
  return ServingError.from(err);
}

/**
 * The PFA ModelFactory: ModelToServe.content is a PFA document (JSON or YAML), compiled once. Build
 * problems are ServingError INVALID_ARGUMENT.
 */
export class PfaModelFactory implements ModelFactory {
  readonly type = ModelType.PFA;

  constructor(private readonly options: PfaEngineOptions = {}) {}

  async create(model: ModelToServe): Promise<Model> {
    return this.build(model.content);
  }

  async restore(bytes: Uint8Array, _model: Omit<ModelToServe, 'content'>): Promise<Model> {
    return this.build(bytes);
  }

  build(content: Uint8Array): PfaModel {
    if (!content || content.byteLength === 0) throw invalid('the model content is empty');
    const bytes = Uint8Array.prototype.slice.call(content);
    let engine: PfaEngine;
    try {
      engine = PfaEngine.fromDocument(bytes, this.options);
    } catch (err) {
      if (err instanceof PfaSemanticError || err instanceof SyntaxError)
        throw new ServingError(Code.INVALID_ARGUMENT, `PFA: ${err.message}`, { cause: err });
      throw ServingError.from(err, Code.INVALID_ARGUMENT);
    }
    return new PfaModel(engine, bytes);
  }
}
