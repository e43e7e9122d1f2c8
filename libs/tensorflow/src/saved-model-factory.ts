import {
  ModelType,
  invalidArgument,
  type Model,
  type ModelFactory,
  type ModelToServe,
} from '@modelserving/model-core';
import { writeTar } from './archive/tar';
import { buildModel, type TensorflowFactoryOptions } from './build-model';
import { CALL_OPS, inlineFunctions } from './graph/inline-functions';
import { pruneGraph } from './graph/prune';
import type { GraphSpec } from './graph-spec';
import { freezeVariables } from './saved-model/freeze';
import { decodeSavedModel, type MetaGraphDef, type SignatureDef } from './saved-model/meta-graph';
import { savedModelFiles, type SavedModelFiles } from './saved-model/saved-model-files';
import type { TensorflowModel } from './tensorflow-model';
import { buildTfjsFormatModel } from './tfjs-format/tfjs-format-model';
import { metadataList } from './metadata-list';

/**
 * Reads a SavedModel into a frozen served graph: the meta graph with metadata `tags` (default `serve`),
 * the signature named by metadata `signature` (else `serving_default`, else the only one), pruned to the
 * signature's outputs, TF2 function calls inlined, variables replaced by their saved values.
 */
export function savedModelSpec(
  files: SavedModelFiles,
  metadata: Readonly<Record<string, string>> = {},
): GraphSpec {
  const pb = files.get('saved_model.pb');
  if (!pb) {
    if (files.has('saved_model.pbtxt'))
      throw invalidArgument(
        'SavedModel: saved_model.pbtxt (text format) is not supported; save as saved_model.pb',
      );
    throw invalidArgument('SavedModel: saved_model.pb is missing');
  }
  const meta = chooseMetaGraph(decodeSavedModel(pb), metadataList(metadata['tags']) ?? ['serve']);
  const [sigName, sig] = chooseSignature(meta, metadata['signature']);
  const inputKeys = Object.keys(sig.inputs).sort();
  const outputKeys = Object.keys(sig.outputs).sort();
  if (outputKeys.length === 0) throw invalidArgument(`SavedModel: signature '${sigName}' has no outputs`);
  let outputs = outputKeys.map((k) => ({ key: k, tensor: sig.outputs[k]!.name }));
  let graph = pruneGraph(
    meta.graphDef,
    outputs.map((o) => o.tensor),
  );
  if (graph.some((n) => CALL_OPS.has(n.op) || meta.graphDef.library?.has(n.op))) {
    // TF2: the signature's outputs come from calls into the function library; inline them, then prune
    // again, since function bodies carry bookkeeping (NoOps, other outputs) the signature does not need.
    const inlined = inlineFunctions(graph, meta.graphDef.library);
    outputs = outputs.map((o) => ({ key: o.key, tensor: inlined.resolve(o.tensor) }));
    graph = pruneGraph(
      { node: inlined.nodes },
      outputs.map((o) => o.tensor),
    );
  }
  const nodes = freezeVariables(graph, files, meta.objectGraph);
  const inputs = inputKeys.map((k) => {
    const info = sig.inputs[k]!;
    const dims = info.shape?.dims;
    const width = dims && dims.length === 2 && dims[1]! > 0 ? dims[1]! : undefined;
    return width === undefined ? { key: k, tensor: info.name } : { key: k, tensor: info.name, width };
  });
  return { nodes, versions: meta.graphDef.versions, inputs, outputs };
}

function chooseMetaGraph(metas: MetaGraphDef[], tags: string[]): MetaGraphDef {
  const match = metas.find((m) => tags.every((t) => m.tags.includes(t)));
  if (match) return match;
  if (metas.length === 1 && tags.length === 1 && tags[0] === 'serve' && metas[0]!.tags.length === 0)
    return metas[0]!;
  throw invalidArgument(
    `SavedModel: no meta graph with tags [${tags.join(', ')}] (has ${metas.map((m) => `[${m.tags.join(', ')}]`).join(', ')})`,
  );
}

function chooseSignature(meta: MetaGraphDef, wanted: string | undefined): [string, SignatureDef] {
  // TF2 exports add `__saved_model_init_op` (the initialiser, not a serving signature): never a default.
  const names = Object.keys(meta.signatures).filter((n) => !n.startsWith('__saved_model'));
  const available = names.length ? names.map((n) => `'${n}'`).join(', ') : 'none';
  if (wanted !== undefined) {
    if (wanted.startsWith('__saved_model'))
      throw invalidArgument(
        `SavedModel: '${wanted}' is the model's initialiser, not a serving signature (available: ${available})`,
      );
    const s = meta.signatures[wanted];
    if (!s) throw invalidArgument(`SavedModel: no signature '${wanted}' (available: ${available})`);
    return [wanted, s];
  }
  const def = meta.signatures['serving_default'];
  if (def) return ['serving_default', def];
  if (names.length === 1) return [names[0]!, meta.signatures[names[0]!]!];
  throw invalidArgument(`SavedModel: choose a signature with metadata 'signature' (available: ${available})`);
}

/**
 * The TENSORFLOW_SAVED ModelFactory. Content is a tar/zip (optionally gzipped) of the SavedModel directory,
 * or saved_model.pb with `location` naming it on local disk; a `location` that is a local directory is read
 * directly. `toBytes` is a tar of the files used, so restore needs no access to the original location.
 */
export class TensorflowSavedModelFactory implements ModelFactory {
  readonly type = ModelType.TENSORFLOW_SAVED;

  constructor(private readonly options: TensorflowFactoryOptions = {}) {}

  create(model: ModelToServe): Promise<Model> {
    return this.build(model.content, model.metadata, model.location);
  }

  restore(bytes: Uint8Array, model: Omit<ModelToServe, 'content'>): Promise<Model> {
    return this.build(bytes, model.metadata);
  }

  async build(
    content: Uint8Array,
    metadata: Readonly<Record<string, string>> = {},
    location?: string,
  ): Promise<TensorflowModel> {
    const files = savedModelFiles(content ?? new Uint8Array(0), location);
    if (!files.has('saved_model.pb') && files.has('model.json')) {
      // A TensorFlow.js model: ModelType has no value of its own for it (see README, "TensorFlow.js").
      return buildTfjsFormatModel(files, metadata, writeTar(files), this.options);
    }
    const spec = savedModelSpec(files, metadata);
    const kept = new Map([...files].filter(([k]) => k === 'saved_model.pb' || k.startsWith('variables/')));
    return buildModel(ModelType.TENSORFLOW_SAVED, spec, metadata, writeTar(kept), this.options);
  }
}
