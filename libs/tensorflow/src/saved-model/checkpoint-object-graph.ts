import { WireType } from '@modelserving/protobuf-wire';
import { ProtoReader } from '../proto/proto-reader';

/** The bundle entry where TF2 checkpoints store their TrackableObjectGraph (a serialized proto in a string scalar). */
export const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';

/** A saved value of one object (TrackableObject.SerializedTensor). */
export interface SerializedTensor {
  /** `VARIABLE_VALUE` for a variable's value. */
  readonly name: string;
  /** The variable's name (its VarHandleOp's shared_name). */
  readonly fullName: string;
  readonly checkpointKey: string;
}

/**
 * Reads a TrackableObjectGraph: per node id, the values saved for it. These keys are authoritative (TF
 * wrote them), so they win over keys derived from the SavedObjectGraph's paths.
 */
export function readCheckpointObjectGraph(bytes: Uint8Array): SerializedTensor[][] {
  const r = new ProtoReader(bytes, OBJECT_GRAPH_KEY);
  const nodes: SerializedTensor[][] = [];
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f !== 1 || wt !== WireType.LEN) {
      r.skip(wt);
      continue;
    }
    const n = r.sub(`node ${nodes.length}`);
    const attributes: SerializedTensor[] = [];
    while (!n.done) {
      const [nf, nwt] = n.tag();
      if (nf === 2 && nwt === WireType.LEN) attributes.push(readSerializedTensor(n.sub('attributes')));
      else n.skip(nwt);
    }
    nodes.push(attributes);
  }
  return nodes;
}

function readSerializedTensor(r: ProtoReader): SerializedTensor {
  let name = '';
  let fullName = '';
  let checkpointKey = '';
  while (!r.done) {
    const [f, wt] = r.tag();
    if (wt !== WireType.LEN) r.skip(wt);
    else if (f === 1) name = r.string();
    else if (f === 2) fullName = r.string();
    else if (f === 3) checkpointKey = r.string();
    else r.skip(wt);
  }
  return { name, fullName, checkpointKey };
}
