import { invalidArgument } from '@modelserving/model-core';
import { WireType } from '@modelserving/protobuf-wire';
import { ProtoReader } from '../proto/proto-reader';
import { ProtoWriter } from '../proto/proto-writer';
import { encodeFunctionLibrary, readFunctionLibrary, type FunctionDef } from './function-def';
import { encodeNodeDef, readNodeDef, type NodeDef } from './node-def';

export { parseInput, type AttrList, type AttrValue, type NodeDef } from './node-def';
export type { FunctionDef } from './function-def';

export interface GraphDef {
  readonly node: readonly NodeDef[];
  readonly versions?: { readonly producer: number; readonly minConsumer: number };
  /** The function library (TF2 SavedModels keep their inference graph here), keyed by function name. */
  readonly library?: ReadonlyMap<string, FunctionDef>;
}

export function decodeGraphDef(bytes: Uint8Array, what = 'GraphDef'): GraphDef {
  if (bytes.length === 0) throw invalidArgument(`${what}: empty`);
  return readGraphDef(new ProtoReader(bytes, what));
}

export function readGraphDef(r: ProtoReader): GraphDef {
  const node: NodeDef[] = [];
  let versions: GraphDef['versions'];
  let library: Map<string, FunctionDef> | undefined;
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LEN) node.push(readNodeDef(r.sub('node')));
    else if (f === 4 && wt === WireType.LEN) {
      const v = r.sub('versions');
      let producer = 0;
      let minConsumer = 0;
      while (!v.done) {
        const [vf, vwt] = v.tag();
        if (vf === 1 && vwt === WireType.VARINT) producer = v.int64();
        else if (vf === 2 && vwt === WireType.VARINT) minConsumer = v.int64();
        else v.skip(vwt);
      }
      versions = { producer, minConsumer };
    } else if (f === 2 && wt === WireType.LEN) {
      library ??= new Map();
      readFunctionLibrary(r.sub('library'), library);
    } else r.skip(wt);
  }
  return { node, ...(versions ? { versions } : {}), ...(library ? { library } : {}) };
}

/** Encodes a GraphDef (used to build graphs in tests and to re-emit frozen graphs). */
export function encodeGraphDef(g: GraphDef): Uint8Array {
  const w = new ProtoWriter();
  for (const n of g.node) w.message(1, (nw) => encodeNodeDef(nw, n));
  if (g.versions) {
    const v = g.versions;
    w.message(4, (vw) => vw.varint(1, v.producer).varint(2, v.minConsumer));
  }
  if (g.library && g.library.size > 0) {
    const lib = g.library;
    w.message(2, (lw) => encodeFunctionLibrary(lw, lib));
  }
  return w.finish();
}
