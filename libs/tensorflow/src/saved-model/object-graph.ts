import { WireType } from '@modelserving/protobuf-wire';
import type { ProtoReader } from '../proto/proto-reader';

/** A child edge of the object graph: `local_name` is the attribute name (`layer_with_weights-0`, `kernel`). */
export interface ObjectReference {
  readonly nodeId: number;
  readonly localName: string;
}

/** One object of a TF2 SavedModel's SavedObjectGraph; `variableName` is set for variables (SavedVariable.name). */
export interface SavedObject {
  readonly children: readonly ObjectReference[];
  readonly variableName?: string;
}

/**
 * Reads a SavedObjectGraph (MetaGraphDef.object_graph_def): only the tree and the variables are needed to
 * find each variable's checkpoint key. Node ids are positions, and they are the same ids the checkpoint's
 * TrackableObjectGraph uses (both are written from one object-graph traversal).
 */
export function readSavedObjectGraph(r: ProtoReader): SavedObject[] {
  const nodes: SavedObject[] = [];
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LEN) nodes.push(readSavedObject(r.sub(`object ${nodes.length}`)));
    else r.skip(wt);
  }
  return nodes;
}

function readSavedObject(r: ProtoReader): SavedObject {
  const children: ObjectReference[] = [];
  let variableName: string | undefined;
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.LEN) children.push(readObjectReference(r.sub('children')));
    else if (f === 7 && wt === WireType.LEN) {
      // SavedVariable: name = 6 (the variable's name without `:0`, which is its VarHandleOp's shared_name).
      const v = r.sub('variable');
      variableName = '';
      while (!v.done) {
        const [vf, vwt] = v.tag();
        if (vf === 6 && vwt === WireType.LEN) variableName = v.string();
        else v.skip(vwt);
      }
    } else r.skip(wt);
  }
  return variableName === undefined ? { children } : { children, variableName };
}

export function readObjectReference(r: ProtoReader): ObjectReference {
  let nodeId = 0;
  let localName = '';
  while (!r.done) {
    const [f, wt] = r.tag();
    if (f === 1 && wt === WireType.VARINT) nodeId = r.varint();
    else if (f === 2 && wt === WireType.LEN) localName = r.string();
    else r.skip(wt);
  }
  return { nodeId, localName };
}

/** TF escapes local names in checkpoint keys so `/` stays the path separator: `.` → `..`, `/` → `.S`. */
function escapeLocalName(name: string): string {
  return name.replace(/\./g, '..').replace(/\//g, '.S');
}

/**
 * The checkpoint key of every variable node, as TF2's object-based saver derives it: the escaped local
 * names on the breadth-first path from the root, then `/.ATTRIBUTES/VARIABLE_VALUE`
 * (`layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`). Used when the bundle carries no object graph.
 */
export function variablePathKeys(nodes: readonly SavedObject[]): Map<number, string> {
  const paths = new Map<number, string[]>([[0, []]]);
  const queue = [0];
  for (let q = 0; q < queue.length; q++) {
    const id = queue[q]!;
    for (const c of nodes[id]?.children ?? []) {
      if (paths.has(c.nodeId)) continue;
      paths.set(c.nodeId, [...paths.get(id)!, escapeLocalName(c.localName)]);
      queue.push(c.nodeId);
    }
  }
  const keys = new Map<number, string>();
  nodes.forEach((n, id) => {
    const path = paths.get(id);
    if (n.variableName !== undefined && path && path.length > 0)
      keys.set(id, `${path.join('/')}/.ATTRIBUTES/VARIABLE_VALUE`);
  });
  return keys;
}
