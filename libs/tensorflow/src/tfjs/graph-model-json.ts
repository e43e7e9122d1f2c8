import { invalidArgument } from '@modelserving/model-core';
import { DType, dtypeName } from '../graph/dtype';
import type { AttrValue, GraphDef, NodeDef } from '../graph/graph-def';
import type { TensorShape, TensorValue } from '../graph/tensor-value';

/** A weight of a tfjs weights manifest (`quantization` only in converter output). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

/** The subset of tfjs's ModelArtifacts that `tf.io.fromMemory` needs for a graph model. */
export interface GraphModelArtifacts {
  readonly modelTopology: Record<string, unknown>;
  readonly weightSpecs: WeightSpec[];
  readonly weightData: ArrayBuffer;
  readonly format: 'graph-model';
}

/**
 * Turns a (pruned, frozen) GraphDef into the JSON + weights form that tfjs-converter's GraphModel loads,
 * as its Python converter would: Const values move to the weights (the node stays, without `value`),
 * control inputs are dropped, a missing `versions` is filled, attrs take protobuf-JSON form.
 */
export function toGraphModelArtifacts(
  nodes: readonly NodeDef[],
  versions: GraphDef['versions'],
): GraphModelArtifacts {
  const weightSpecs: GraphModelArtifacts['weightSpecs'] = [];
  const chunks: Uint8Array[] = [];
  let total = 0;
  const jsonNodes = nodes.map((n) => {
    const attr: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n.attr)) {
      if (n.op === 'Const' && k === 'value') continue;
      attr[k] = attrJson(v, `node '${n.name}' attr ${k}`);
    }
    if (n.op === 'Const') {
      const t = n.attr['value']?.tensor;
      if (!t) throw invalidArgument(`node '${n.name}': Const without a value`);
      const [dtype, bytes] = weightBytes(t, n.name);
      weightSpecs.push({ name: n.name, shape: [...t.shape], dtype });
      chunks.push(bytes);
      total += bytes.length;
    }
    return {
      name: n.name,
      op: n.op,
      input: n.input.filter((i) => !i.startsWith('^')),
      attr,
      ...(n.device ? { device: n.device } : {}),
    };
  });
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    weightData.set(c, off);
    off += c.length;
  }
  return {
    modelTopology: {
      node: jsonNodes,
      library: {},
      // GraphModel reads versions.producer for its version string; frozen graphs often omit it.
      versions: { producer: versions?.producer ?? 0, minConsumer: versions?.minConsumer ?? 0 },
    },
    weightSpecs,
    weightData: weightData.buffer,
    format: 'graph-model',
  };
}

function weightBytes(t: TensorValue, name: string): ['float32' | 'int32' | 'bool', Uint8Array] {
  const d = t.data;
  if (d instanceof Float32Array)
    return ['float32', new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength))];
  if (d instanceof Int32Array)
    return ['int32', new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength))];
  if (d instanceof Uint8Array) return ['bool', d.slice()];
  throw invalidArgument(
    `node '${name}': ${dtypeName(t.dtype)} constants are not supported by the tfjs runtime`,
  );
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function shapeJson(s: TensorShape): Record<string, unknown> {
  return s.dims === undefined ? { unknownRank: true } : { dim: s.dims.map((d) => ({ size: String(d) })) };
}

function dtypeJson(t: number): string {
  const name = dtypeName(t);
  // tfjs-converter knows DT_* names; reference dtypes never reach a frozen graph.
  return t === DType.DT_INVALID ? 'DT_INVALID' : name;
}

function attrJson(a: AttrValue, what: string): Record<string, unknown> {
  if (a.list) {
    return {
      list: {
        s: a.list.s.map(b64),
        i: a.list.i.map(String),
        f: [...a.list.f],
        b: [...a.list.b],
        type: a.list.type.map(dtypeJson),
        shape: a.list.shape.map(shapeJson),
      },
    };
  }
  if (a.s !== undefined) return { s: b64(a.s) };
  if (a.i !== undefined) return { i: String(a.i) };
  if (a.f !== undefined) return { f: a.f };
  if (a.b !== undefined) return { b: a.b };
  if (a.type !== undefined) return { type: dtypeJson(a.type) };
  if (a.shape !== undefined) return { shape: shapeJson(a.shape) };
  if (a.func !== undefined) return { func: { name: a.func } };
  if (a.placeholder !== undefined) return { placeholder: a.placeholder };
  if (a.tensor !== undefined)
    throw invalidArgument(`${what}: tensor-valued attributes are not supported by the tfjs runtime`);
  return {};
}
