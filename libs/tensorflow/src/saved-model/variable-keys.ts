import { invalidArgument } from '@modelserving/model-core';
import type { NodeDef } from '../graph/graph-def';
import {
  OBJECT_GRAPH_KEY,
  readCheckpointObjectGraph,
  type SerializedTensor,
} from './checkpoint-object-graph';
import { variablePathKeys, type SavedObject } from './object-graph';
import { readBundleStrings, type TensorBundle } from './tensor-bundle';

const VALUE_ATTRIBUTE = 'VARIABLE_VALUE';

/**
 * Finds the bundle key of each variable node. TF1 bundles key variables by node name (or, for resource
 * variables, by `shared_name`). TF2 checkpoints key them by object path
 * (`layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`): the SavedObjectGraph links a variable's name
 * (= its VarHandleOp's shared_name) to an object id, and the checkpoint's own TrackableObjectGraph (or,
 * without one, the object tree's path) gives that object's key. Candidates are tried in that order and the
 * first the bundle holds wins, so TF1 and TF2 SavedModels share one code path.
 */
export function variableKeyResolver(
  bundle: TensorBundle,
  shard: (id: number) => Uint8Array,
  objectGraph: readonly SavedObject[] | undefined,
): (node: NodeDef) => string {
  let checkpointGraph: SerializedTensor[][] | undefined;
  const ckpt = (): SerializedTensor[][] => {
    if (checkpointGraph) return checkpointGraph;
    const bytes = bundle.entries.has(OBJECT_GRAPH_KEY)
      ? readBundleStrings(bundle, OBJECT_GRAPH_KEY, shard)[0]
      : undefined;
    checkpointGraph = bytes ? readCheckpointObjectGraph(bytes) : [];
    return checkpointGraph;
  };
  const objectIds = new Map<string, number>();
  objectGraph?.forEach((o, id) => {
    if (o.variableName !== undefined && !objectIds.has(o.variableName)) objectIds.set(o.variableName, id);
  });
  const pathKeys = objectGraph ? variablePathKeys(objectGraph) : new Map<number, string>();

  return (node) => {
    const resource = node.op === 'VarHandleOp';
    const sharedName = resource ? node.attr['shared_name']?.s || node.name : node.name;
    const candidates: string[] = [];
    const id = objectIds.get(sharedName);
    if (id !== undefined) {
      const saved = ckpt()[id]?.find((a) => a.name === VALUE_ATTRIBUTE)?.checkpointKey;
      if (saved) candidates.push(saved);
      const path = pathKeys.get(id);
      if (path) candidates.push(path);
    }
    if (objectGraph || bundle.entries.has(OBJECT_GRAPH_KEY)) {
      for (const attrs of ckpt()) {
        const a = attrs.find((x) => x.name === VALUE_ATTRIBUTE && x.fullName === sharedName);
        if (a) candidates.push(a.checkpointKey);
      }
    }
    candidates.push(sharedName, node.name);
    const key = candidates.find((k) => bundle.entries.has(k));
    if (key !== undefined) return key;
    const tried = [...new Set(candidates)].map((k) => `'${k}'`).join(', ');
    throw invalidArgument(
      `variables: no value for variable node '${node.name}' (${node.op}) in variables.index (tried ${tried})`,
    );
  };
}
