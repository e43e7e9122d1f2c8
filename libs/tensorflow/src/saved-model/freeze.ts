import { invalidArgument } from '@modelserving/model-core';
import { DType } from '../graph/dtype';
import type { NodeDef } from '../graph/graph-def';
import { readBundleIndex, readBundleTensor, shardFileName, type TensorBundle } from './tensor-bundle';
import type { SavedModelFiles } from './saved-model-files';

const TF1_VARIABLES = new Set(['VariableV2', 'Variable']);

/** Ops that only appear in TF2 SavedModels whose inference graph lives in the function library. */
const TF2_FUNCTION_OPS = new Set(['StatefulPartitionedCall', 'PartitionedCall']);

/**
 * Replaces the variables of a pruned inference graph with constants read from the TensorBundle:
 * TF1 `VariableV2` nodes (bundle key = node name) and TF1-style resource variables (`VarHandleOp`, key =
 * its `shared_name`, read through `ReadVariableOp`, which becomes an Identity). The result is a frozen
 * graph both engines can run. Bundle files are read only when the graph has variables.
 */
export function freezeVariables(nodes: readonly NodeDef[], files: SavedModelFiles): NodeDef[] {
  const tf2 = nodes.find((n) => TF2_FUNCTION_OPS.has(n.op));
  if (tf2) {
    throw invalidArgument(
      `SavedModel: node '${tf2.name}' is a ${tf2.op} into the function library (a TF2 SavedModel); ` +
        'only TF1 graphs (VariableV2 / VarHandleOp in the main graph) are supported so far',
    );
  }
  if (!nodes.some((n) => TF1_VARIABLES.has(n.op) || n.op === 'VarHandleOp')) return [...nodes];
  const bundle = openBundle(files);
  const shards = new Map<number, Uint8Array>();
  const shard = (id: number): Uint8Array => {
    let s = shards.get(id);
    if (!s) {
      const name = `variables/${shardFileName('variables', id, bundle.numShards)}`;
      s = files.get(name);
      if (!s) throw invalidArgument(`SavedModel: missing variables shard ${name}`);
      shards.set(id, s);
    }
    return s;
  };
  return nodes.map((n) => {
    if (TF1_VARIABLES.has(n.op) || n.op === 'VarHandleOp') {
      const key = n.op === 'VarHandleOp' ? n.attr['shared_name']?.s || n.name : n.name;
      const value = readBundleTensor(bundle, key, shard);
      return { name: n.name, op: 'Const', input: [], attr: { dtype: { type: value.dtype }, value: { tensor: value } } };
    }
    if (n.op === 'ReadVariableOp') {
      return { name: n.name, op: 'Identity', input: n.input, attr: { T: { type: n.attr['dtype']?.type ?? DType.DT_FLOAT } } };
    }
    return n;
  });
}

function openBundle(files: SavedModelFiles): TensorBundle {
  const index = files.get('variables/variables.index');
  if (!index) throw invalidArgument('SavedModel: the graph has variables but variables/variables.index is missing');
  return readBundleIndex(index);
}
