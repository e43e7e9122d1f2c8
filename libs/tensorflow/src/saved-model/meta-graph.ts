import { invalidArgument } from '@modelserving/model-core';
import { readGraphDef, type GraphDef } from '../graph/graph-def';
import { WireType } from '@modelserving/protobuf-wire';
import { ProtoReader } from '../proto/proto-reader';
import { decodeTensorShape, type TensorShape } from '../graph/tensor-value';
import { readSavedObjectGraph, type SavedObject } from './object-graph';

/** TensorInfo of a signature: the graph tensor (`node:index`) behind a signature key. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: number;
  readonly shape?: TensorShape;
}

export interface SignatureDef {
  readonly inputs: Readonly<Record<string, TensorInfo>>;
  readonly outputs: Readonly<Record<string, TensorInfo>>;
  readonly methodName: string;
}

export interface MetaGraphDef {
  readonly tags: readonly string[];
  readonly graphDef: GraphDef;
  readonly signatures: Readonly<Record<string, SignatureDef>>;
  /** TF2 SavedModels carry an object graph, which tells how their variables are keyed in the bundle. */
  readonly objectGraph?: readonly SavedObject[];
}

/** Decodes saved_model.pb (SavedModel: schema version, meta_graphs). */
export function decodeSavedModel(bytes: Uint8Array): MetaGraphDef[] {
  if (bytes.length === 0) throw invalidArgument('saved_model.pb: empty');
  const r = new ProtoReader(bytes, 'saved_model.pb');
  const metas: MetaGraphDef[] = [];
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f === 2 && wt === WireType.LEN) metas.push(readMetaGraph(r.sub('meta_graphs')));
    else r.skip(wt);
  }
  if (metas.length === 0) throw invalidArgument('saved_model.pb: no meta graphs (is this a SavedModel?)');
  return metas;
}

function readMetaGraph(r: ProtoReader): MetaGraphDef {
  const tags: string[] = [];
  let graphDef: GraphDef = { node: [] };
  const signatures: Record<string, SignatureDef> = {};
  let objectGraph: SavedObject[] | undefined;
  while (!r.done) {
    const [f, wt] = r.tag();
    if (wt !== WireType.LEN) {
      r.skip(wt);
      continue;
    }
    if (f === 1) {
      const m = r.sub('meta_info_def');
      while (!m.done) {
        const [mf, mwt] = m.tag();
        if (mf === 4 && mwt === WireType.LEN) tags.push(m.string());
        else m.skip(mwt);
      }
    } else if (f === 2) graphDef = readGraphDef(r.sub('graph_def'));
    else if (f === 5) {
      const e = r.sub('signature_def');
      let key = '';
      let sig: SignatureDef = { inputs: {}, outputs: {}, methodName: '' };
      while (!e.done) {
        const [ef, ewt] = e.tag();
        if (ef === 1 && ewt === WireType.LEN) key = e.string();
        else if (ef === 2 && ewt === WireType.LEN) sig = readSignature(e.sub(`signature ${key}`));
        else e.skip(ewt);
      }
      signatures[key] = sig;
    } else if (f === 7) {
      objectGraph = readSavedObjectGraph(r.sub('object_graph_def'));
    } else r.skip(wt);
  }
  return objectGraph ? { tags, graphDef, signatures, objectGraph } : { tags, graphDef, signatures };
}

function readSignature(r: ProtoReader): SignatureDef {
  const inputs: Record<string, TensorInfo> = {};
  const outputs: Record<string, TensorInfo> = {};
  let methodName = '';
  while (!r.done) {
    const [f, wt] = r.tag();
    if ((f === 1 || f === 2) && wt === WireType.LEN) {
      const e = r.sub(f === 1 ? 'inputs' : 'outputs');
      let key = '';
      let info: TensorInfo = { name: '', dtype: 0 };
      while (!e.done) {
        const [ef, ewt] = e.tag();
        if (ef === 1 && ewt === WireType.LEN) key = e.string();
        else if (ef === 2 && ewt === WireType.LEN) info = readTensorInfo(e.sub(key));
        else e.skip(ewt);
      }
      (f === 1 ? inputs : outputs)[key] = info;
    } else if (f === 3 && wt === WireType.LEN) methodName = r.string();
    else r.skip(wt);
  }
  return { inputs, outputs, methodName };
}

function readTensorInfo(r: ProtoReader): TensorInfo {
  let name = '';
  let dtype = 0;
  let shape: TensorShape | undefined;
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LEN) name = r.string();
    else if (f === 2 && wt === WireType.VARINT) dtype = r.varint();
    else if (f === 3 && wt === WireType.LEN) shape = decodeTensorShape(r.sub('tensor_shape'));
    else r.skip(wt);
  }
  return shape ? { name, dtype, shape } : { name, dtype };
}
