import type {
  ModelDescriptor as ProtoDescriptor,
  ModelStatus as ProtoModelStatus,
  Record as ProtoRecord,
  ServingResult as ProtoResult,
  Tensor as ProtoTensor,
  TensorSpec,
  Value,
} from '@modelserving/contracts';
import { ModelStatus_State } from '@modelserving/contracts';
import {
  invalidArgument,
  type DataToServe,
  type FeatureValue,
  type Features,
  type FieldSpec,
  type ModelDescriptor,
  type ModelStatus,
  type ModelType,
  type ServingResult,
  type Tensor,
  type TensorDatatype,
} from '@modelserving/model-core';

// Conversions between the wire messages (contracts) and model-core's plain types. They sit on the hot
// path, so they avoid intermediate arrays and closures.

const MISSING: Value = { missing: true };

export function valueToProto(v: FeatureValue | undefined): Value {
  switch (typeof v) {
    case 'number':
      return { number: v };
    case 'string':
      return { string: v };
    case 'boolean':
      return { boolean: v };
    default:
      return MISSING;
  }
}

export function valueFromProto(v: Value | undefined): FeatureValue {
  if (!v) return null;
  if (v.number !== undefined) return v.number;
  if (v.string !== undefined) return v.string;
  if (v.boolean !== undefined) return v.boolean;
  return null;
}

export function featuresFromProto(map: { [key: string]: Value } | undefined): Features {
  const out: Features = {};
  if (!map) return out;
  for (const k in map) out[k] = valueFromProto(map[k]);
  return out;
}

export function featuresToProto(features: Readonly<Record<string, FeatureValue>> | undefined): {
  [key: string]: Value;
} {
  const out: { [key: string]: Value } = {};
  if (!features) return out;
  for (const k in features) out[k] = valueToProto(features[k]);
  return out;
}

const DATATYPES = new Set<TensorDatatype>(['BOOL', 'INT32', 'INT64', 'FP32', 'FP64', 'BYTES']);

export function tensorFromProto(t: ProtoTensor): Tensor {
  const datatype = t.datatype.toUpperCase() as TensorDatatype;
  if (!DATATYPES.has(datatype))
    throw invalidArgument(`tensor '${t.name}': unsupported datatype '${t.datatype}'`);
  let size = 1;
  for (const d of t.shape) {
    if (!Number.isInteger(d) || d < 0)
      throw invalidArgument(`tensor '${t.name}': invalid shape [${t.shape.join(', ')}]`);
    size *= d;
  }
  const data =
    datatype === 'BYTES'
      ? t.strings
      : datatype === 'BOOL'
        ? t.booleans
        : datatype === 'FP32'
          ? Float32Array.from(t.numbers)
          : Float64Array.from(t.numbers);
  if (data.length !== size) {
    throw invalidArgument(
      `tensor '${t.name}': shape [${t.shape.join(', ')}] needs ${size} values, got ${data.length}`,
    );
  }
  return { name: t.name, datatype, shape: t.shape, data };
}

export function tensorToProto(t: Tensor): ProtoTensor {
  const base = {
    name: t.name,
    datatype: t.datatype,
    shape: [...t.shape],
    numbers: [] as number[],
    strings: [] as string[],
    booleans: [] as boolean[],
  };
  if (t.datatype === 'BYTES') base.strings = [...(t.data as readonly string[])];
  else if (t.datatype === 'BOOL') base.booleans = [...(t.data as readonly boolean[])];
  else base.numbers = Array.from(t.data as ArrayLike<number>);
  return base;
}

export function recordToData(dataType: string, record: ProtoRecord | undefined): DataToServe {
  const features = featuresFromProto(record?.features);
  if (record && record.tensors.length > 0)
    return { dataType, features, tensors: record.tensors.map(tensorFromProto) };
  return { dataType, features };
}

export function dataToRecord(data: DataToServe): ProtoRecord {
  return {
    features: featuresToProto(data.features),
    tensors: data.tensors ? data.tensors.map(tensorToProto) : [],
  };
}

export function resultToProto(r: ServingResult): ProtoResult {
  const out: ProtoResult = {
    processed: r.processed,
    model: r.model,
    source: r.source,
    value: r.value === undefined ? undefined : valueToProto(r.value),
    outputs: r.outputs ? featuresToProto(r.outputs) : {},
    tensors: r.tensors ? r.tensors.map(tensorToProto) : [],
    error: r.error ?? '',
    errorCode: r.errorCode ?? 0,
    duration: r.duration,
  };
  if (r.confidence !== undefined) out.confidence = r.confidence;
  return out;
}

export function resultFromProto(r: ProtoResult): ServingResult {
  return {
    processed: r.processed,
    model: r.model,
    source: r.source,
    ...(r.value ? { value: valueFromProto(r.value) } : {}),
    ...(Object.keys(r.outputs).length > 0 ? { outputs: featuresFromProto(r.outputs) } : {}),
    ...(r.tensors.length > 0 ? { tensors: r.tensors.map(tensorFromProto) } : {}),
    ...(r.confidence !== undefined ? { confidence: r.confidence } : {}),
    ...(r.error ? { error: r.error, errorCode: r.errorCode } : {}),
    duration: r.duration,
  };
}

export function descriptorFromProto(d: ProtoDescriptor): ModelDescriptor {
  return {
    name: d.name,
    description: d.description,
    dataType: d.dataType,
    modelType: d.modelType as number as ModelType,
    ...(d.data !== undefined && d.data.length > 0 ? { data: d.data } : {}),
    ...(d.location ? { location: d.location } : {}),
    metadata: d.metadata,
  };
}

export function descriptorToProto(d: ModelDescriptor): ProtoDescriptor {
  return {
    name: d.name,
    description: d.description,
    dataType: d.dataType,
    modelType: d.modelType as number,
    ...(d.data !== undefined
      ? { data: Buffer.from(d.data.buffer, d.data.byteOffset, d.data.byteLength) }
      : {}),
    ...(d.location !== undefined ? { location: d.location } : {}),
    metadata: { ...(d.metadata ?? {}) },
  };
}

function specToProto(f: FieldSpec): TensorSpec {
  return { name: f.name, datatype: f.datatype, shape: [...f.shape], values: f.values ? [...f.values] : [] };
}

const STATE: Record<ModelStatus['state'], ModelStatus_State> = {
  LOADING: ModelStatus_State.LOADING,
  SERVING: ModelStatus_State.SERVING,
  FAILED: ModelStatus_State.FAILED,
};

export function modelStatusToProto(s: ModelStatus, executor: string, position: string): ProtoModelStatus {
  return {
    modelKey: s.key,
    name: s.name,
    dataType: s.dataType,
    description: s.description,
    modelType: s.modelType as number,
    state: STATE[s.state],
    loading: s.loading,
    error: s.error ?? '',
    runtime: s.runtime ?? '',
    generation: s.generation,
    stats: s.stats
      ? {
          name: s.stats.name,
          description: s.stats.description,
          modelType: s.stats.modelType as number,
          since: s.stats.since,
          usage: s.stats.usage,
          duration: s.stats.duration,
          min: s.stats.min,
          max: s.stats.max,
        }
      : undefined,
    executor,
    inputs: s.signature ? s.signature.inputs.map(specToProto) : [],
    outputs: s.signature ? s.signature.outputs.map(specToProto) : [],
    position,
  };
}
