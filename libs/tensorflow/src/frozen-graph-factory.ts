import {
  ModelType,
  invalidArgument,
  type Model,
  type ModelFactory,
  type ModelToServe,
} from '@modelserving/model-core';
import { buildModel, type TensorflowFactoryOptions } from './build-model';
import { decodeGraphDef, parseInput } from './graph/graph-def';
import { placeholders, pruneGraph, sinkNodes } from './graph/prune';
import type { GraphSpec } from './graph-spec';
import type { TensorflowModel } from './tensorflow-model';
import { metadataList } from './metadata-list';

/**
 * Parses a frozen GraphDef (`.pb`) into a served graph. Outputs are metadata `graph.outputs` (comma-separated
 * tensor names) or else the graph's sink nodes; inputs are metadata `graph.inputs` or else the placeholders
 * the outputs depend on. Everything else is pruned.
 */
export function frozenGraphSpec(
  content: Uint8Array,
  metadata: Readonly<Record<string, string>> = {},
): GraphSpec {
  const graph = decodeGraphDef(content, 'frozen GraphDef');
  if (graph.node.length === 0) throw invalidArgument('frozen GraphDef: no nodes (is this a GraphDef .pb?)');
  const outputs = metadataList(metadata['graph.outputs']) ?? sinkNodes(graph);
  if (outputs.length === 0)
    throw invalidArgument('frozen GraphDef: no output nodes found; set metadata graph.outputs');
  const nodes = pruneGraph(graph, outputs);
  const inputs = metadataList(metadata['graph.inputs']) ?? placeholders(nodes);
  for (const i of inputs) {
    if (!nodes.some((n) => n.name === parseInput(i)[0]))
      throw invalidArgument(`frozen GraphDef: input '${i}' is not used by the outputs`);
  }
  for (const n of nodes) {
    if (n.op === 'Placeholder' && !inputs.includes(n.name) && !inputs.includes(`${n.name}:0`)) {
      throw invalidArgument(`frozen GraphDef: placeholder '${n.name}' feeds the outputs but is not an input`);
    }
    if (n.op === 'VariableV2' || n.op === 'VarHandleOp') {
      throw invalidArgument(
        `frozen GraphDef: node '${n.name}' is a variable (${n.op}); freeze the graph or deploy it as TENSORFLOW_SAVED`,
      );
    }
  }
  return {
    nodes,
    versions: graph.versions,
    inputs: inputs.map((t) => ({ key: t, tensor: t, ...widthOf(nodes, t) })),
    outputs: outputs.map((t) => ({ key: t, tensor: t })),
  };
}

function widthOf(nodes: GraphSpec['nodes'], tensor: string): { width?: number } {
  const dims = nodes.find((n) => n.name === parseInput(tensor)[0])?.attr['shape']?.shape?.dims;
  return dims && dims.length === 2 && dims[1]! > 0 ? { width: dims[1]! } : {};
}

/** The TENSORFLOW (frozen graph) ModelFactory. */
export class TensorflowModelFactory implements ModelFactory {
  readonly type = ModelType.TENSORFLOW;

  constructor(private readonly options: TensorflowFactoryOptions = {}) {}

  create(model: ModelToServe): Promise<Model> {
    return this.build(model.content, model.metadata);
  }

  restore(bytes: Uint8Array, model: Omit<ModelToServe, 'content'>): Promise<Model> {
    return this.build(bytes, model.metadata);
  }

  async build(
    content: Uint8Array,
    metadata: Readonly<Record<string, string>> = {},
  ): Promise<TensorflowModel> {
    if (!content || content.byteLength === 0) throw invalidArgument('TensorFlow: the model content is empty');
    // A private copy: toBytes must return the original graph even if the caller reuses its buffer
    // (`new Uint8Array(x)` copies; Buffer#slice would only make a view).
    const bytes = new Uint8Array(content);
    return buildModel(ModelType.TENSORFLOW, frozenGraphSpec(bytes, metadata), metadata, bytes, this.options);
  }
}
