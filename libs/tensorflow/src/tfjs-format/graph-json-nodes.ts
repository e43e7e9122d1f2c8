import { invalidArgument } from '@modelserving/model-core';
import { DType } from '../graph/dtype';
import type { AttrList, AttrValue, NodeDef } from '../graph/graph-def';
import type { TensorShape, TensorValue } from '../graph/tensor-value';

type Json = Record<string, unknown>;

const DTYPES = new Map<string, number>(Object.entries(DType));

/**
 * Turns a tfjs graph model's topology (a GraphDef in protobuf-JSON form) back into NodeDefs, with each
 * Const's value taken from the weights under its node name. This is what lets the fast path run graph
 * models; tfjs still loads the original files when the fast path does not cover the graph.
 */
export function graphJsonNodes(topology: Json, weights: ReadonlyMap<string, TensorValue>): NodeDef[] {
  const nodes = topology['node'];
  if (!Array.isArray(nodes)) throw invalidArgument('TensorFlow.js: graph model topology has no node list');
  return (nodes as Json[]).map((n) => {
    const name = String(n['name'] ?? '');
    const op = String(n['op'] ?? '');
    if (!name || !op) throw invalidArgument('TensorFlow.js: graph model node without a name or op');
    const input = Array.isArray(n['input']) ? (n['input'] as unknown[]).map(String) : [];
    const attr: Record<string, AttrValue> = {};
    const attrs = (n['attr'] ?? {}) as Json;
    for (const [k, v] of Object.entries(attrs)) {
      if (op === 'Const' && k === 'value') continue;
      attr[k] = attrValue((v ?? {}) as Json);
    }
    if (op === 'Const') {
      const t = weights.get(name);
      if (!t)
        throw invalidArgument(`TensorFlow.js: no weight for Const node '${name}' in the weights manifest`);
      attr['value'] = { tensor: t };
    }
    return { name, op, input, attr };
  });
}

function dtype(v: unknown): number {
  return typeof v === 'number' ? v : (DTYPES.get(String(v)) ?? DType.DT_INVALID);
}

function shape(v: unknown): TensorShape {
  const s = (v ?? {}) as Json;
  if (s['unknownRank']) return { dims: undefined };
  const dims = Array.isArray(s['dim']) ? (s['dim'] as Json[]).map((d) => Number(d['size'] ?? 0)) : [];
  return { dims };
}

const text = (b64: unknown) => Buffer.from(String(b64), 'base64').toString('utf8');

function attrValue(a: Json): AttrValue {
  if (a['list'] !== undefined) {
    const l = (a['list'] ?? {}) as Json;
    const arr = (k: string) => (Array.isArray(l[k]) ? (l[k] as unknown[]) : []);
    const list: AttrList = {
      s: arr('s').map(text),
      i: arr('i').map(Number),
      f: arr('f').map(Number),
      b: arr('b').map(Boolean),
      type: arr('type').map(dtype),
      shape: arr('shape').map(shape),
    };
    return { list };
  }
  if (a['s'] !== undefined) return { s: text(a['s']) };
  if (a['i'] !== undefined) return { i: Number(a['i']) };
  if (a['f'] !== undefined) return { f: Number(a['f']) };
  if (a['b'] !== undefined) return { b: Boolean(a['b']) };
  if (a['type'] !== undefined) return { type: dtype(a['type']) };
  if (a['shape'] !== undefined) return { shape: shape(a['shape']) };
  if (a['func'] !== undefined) return { func: String(((a['func'] ?? {}) as Json)['name'] ?? '') };
  if (a['placeholder'] !== undefined) return { placeholder: String(a['placeholder']) };
  return {};
}
