import { ModelType, invalidArgument } from '@modelserving/model-core';
import { bindModel, buildModel, runtimeChoice, type TensorflowFactoryOptions } from '../build-model';
import { parseInput, type NodeDef } from '../graph/graph-def';
import { placeholders, pruneGraph, sinkNodes } from '../graph/prune';
import { tfjsBackend, type GraphPort, type GraphSpec } from '../graph-spec';
import type { TensorflowModel } from '../tensorflow-model';
import { TfjsLayersEngine } from '../tfjs/tfjs-layers-engine';
import { graphJsonNodes } from './graph-json-nodes';
import { readTfjsModel, type TfjsModel } from './model-json';
import { decodeWeights } from './weights';
import { metadataList } from '../metadata-list';

/**
 * Serves a TensorFlow.js model (model.json + weight files). Layers models run on tfjs
 * (`tf.loadLayersModel`); graph models are turned into a served graph like a frozen GraphDef, so the fast
 * path runs them when it covers every op, and tfjs loads the original files otherwise.
 */
export async function buildTfjsFormatModel(
  files: ReadonlyMap<string, Uint8Array>,
  metadata: Readonly<Record<string, string>>,
  bytes: Uint8Array,
  options: TensorflowFactoryOptions,
): Promise<TensorflowModel> {
  const model = readTfjsModel(files);
  if (model.format === 'graph-model')
    return buildModel(ModelType.TENSORFLOW_SAVED, tfjsGraphSpec(model, metadata), metadata, bytes, options);
  const choice = runtimeChoice(metadata, options);
  if (choice === 'fast-path')
    throw invalidArgument(
      'TensorFlow.js layers models run on tfjs; the fast path takes graphs (convert to a graph model)',
    );
  const engine = await TfjsLayersEngine.create(
    model.modelTopology,
    model.weightSpecs,
    model.weightData,
    tfjsBackend(choice),
  );
  const ports = (names: readonly string[]): GraphPort[] => names.map((n) => ({ key: n, tensor: n }));
  return bindModel(
    ModelType.TENSORFLOW_SAVED,
    engine,
    ports(engine.inputNames),
    ports(engine.outputNames),
    metadata,
    bytes,
  );
}

/**
 * A graph model's served graph: outputs from metadata `graph.outputs`, else the converter's signature,
 * else the sink nodes; inputs likewise from `graph.inputs`, the signature, or the placeholders.
 */
export function tfjsGraphSpec(model: TfjsModel, metadata: Readonly<Record<string, string>> = {}): GraphSpec {
  const all = graphJsonNodes(model.modelTopology, decodeWeights(model.weightSpecs, model.weightData));
  const sigPorts = (m: Record<string, { name?: string }> | undefined): GraphPort[] | undefined => {
    const entries = Object.entries(m ?? {}).filter(([, v]) => typeof v?.name === 'string');
    return entries.length ? entries.map(([k, v]) => ({ key: k, tensor: v.name! })) : undefined;
  };
  const named = (names: string[] | undefined) => names?.map((t) => ({ key: t, tensor: t }));
  const outputs =
    named(metadataList(metadata['graph.outputs'])) ??
    sigPorts(model.signature?.outputs) ??
    named(sinkNodes({ node: all }))!;
  if (outputs.length === 0)
    throw invalidArgument('TensorFlow.js: graph model has no outputs; set metadata graph.outputs');
  const nodes = pruneGraph(
    { node: all },
    outputs.map((o) => o.tensor),
  );
  const inputs =
    named(metadataList(metadata['graph.inputs'])) ??
    sigPorts(model.signature?.inputs) ??
    named(placeholders(nodes))!;
  return {
    nodes,
    versions: model.versions,
    inputs: inputs.map((p) => ({ ...p, ...widthOf(nodes, p.tensor) })),
    outputs,
    tfjsArtifacts: {
      modelTopology: model.modelTopology,
      weightSpecs: model.weightSpecs,
      weightData: model.weightData,
      format: 'graph-model',
    },
  };
}

function widthOf(nodes: readonly NodeDef[], tensor: string): { width?: number } {
  const dims = nodes.find((n) => n.name === parseInput(tensor)[0])?.attr['shape']?.shape?.dims;
  return dims && dims.length === 2 && dims[1]! > 0 ? { width: dims[1]! } : {};
}
