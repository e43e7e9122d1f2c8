import { invalidArgument } from '@modelserving/model-core';
import { DType } from '../graph/dtype';
import type { NodeDef } from '../graph/graph-def';
import { CALL_OPS } from '../graph/inline-functions';
import type { SavedObject } from './object-graph';
import { readBundleIndex, readBundleTensor, shardFileName, type TensorBundle } from './tensor-bundle';
import type { SavedModelFiles } from './saved-model-files';
import { variableKeyResolver } from './variable-keys';

const TF1_VARIABLES = new Set(['VariableV2', 'Variable']);

/** Ops that change variables: an inference path through one would need training-time state. */
const VARIABLE_WRITES = new Set([
  'AssignVariableOp',
  'AssignAddVariableOp',
  'AssignSubVariableOp',
  'Assign',
  'AssignAdd',
  'AssignSub',
]);

/**
 * Replaces the variables of a pruned, inlined inference graph with constants read from the TensorBundle:
 * `VariableV2` and `VarHandleOp` nodes become Const (keys found by variableKeyResolver), `ReadVariableOp`
 * an Identity and `ResourceGather` (Keras Embedding) a GatherV2 on the constant. The result is a frozen
 * graph both engines can run. Bundle files are read only when the graph has variables.
 */
export function freezeVariables(
  nodes: readonly NodeDef[],
  files: SavedModelFiles,
  objectGraph?: readonly SavedObject[],
): NodeDef[] {
  const call = nodes.find((n) => CALL_OPS.has(n.op));
  if (call) throw invalidArgument(`SavedModel: node '${call.name}' (${call.op}) was not inlined`);
  const write = nodes.find((n) => VARIABLE_WRITES.has(n.op));
  if (write)
    throw invalidArgument(
      `SavedModel: node '${write.name}' (${write.op}) writes a variable on the serving path, which is not supported`,
    );
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
  const keyOf = variableKeyResolver(bundle, shard, objectGraph);
  return nodes.flatMap((n): NodeDef[] => {
    if (TF1_VARIABLES.has(n.op) || n.op === 'VarHandleOp') {
      const value = readBundleTensor(bundle, keyOf(n), shard);
      return [
        {
          name: n.name,
          op: 'Const',
          input: [],
          attr: { dtype: { type: value.dtype }, value: { tensor: value } },
        },
      ];
    }
    if (n.op === 'ReadVariableOp') {
      return [
        {
          name: n.name,
          op: 'Identity',
          input: n.input,
          attr: { T: { type: n.attr['dtype']?.type ?? DType.DT_FLOAT } },
        },
      ];
    }
    if (n.op === 'ResourceGather') {
      const axis = `${n.name}/axis`;
      const index = n.attr['Tindices'] ?? { type: DType.DT_INT32 };
      return [
        {
          name: axis,
          op: 'Const',
          input: [],
          attr: {
            dtype: { type: DType.DT_INT32 },
            value: { tensor: { dtype: DType.DT_INT32, shape: [], data: Int32Array.of(0) } },
          },
        },
        {
          name: n.name,
          op: 'GatherV2',
          input: [n.input[0]!, n.input[1]!, axis],
          attr: {
            Tparams: n.attr['dtype'] ?? { type: DType.DT_FLOAT },
            Tindices: index,
            Taxis: { type: DType.DT_INT32 },
            batch_dims: n.attr['batch_dims'] ?? { i: 0 },
          },
        },
      ];
    }
    return [n];
  });
}

function openBundle(files: SavedModelFiles): TensorBundle {
  const index = files.get('variables/variables.index');
  if (!index)
    throw invalidArgument('SavedModel: the graph has variables but variables/variables.index is missing');
  return readBundleIndex(index);
}
