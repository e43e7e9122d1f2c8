import { invalidArgument, type ModelType } from '@modelserving/model-core';
import type { Engine } from './engine';
import {
  buildEngine,
  parseRuntimeChoice,
  type GraphPort,
  type GraphSpec,
  type RuntimeChoice,
} from './graph-spec';
import { listedFields, resolveFields, type InputBinding } from './record-io';
import { TensorflowModel, parsePostprocess } from './tensorflow-model';

/**
 * Options shared by both factories. Descriptor metadata overrides them per model:
 * `runtime` (auto | fast-path | tfjs | tfjs-cpu | tfjs-wasm | tfjs-node), `postprocess` (argmax | none),
 * `labels` (comma-separated, for argmax), `inputs` / `inputs.<key>` (field names in column order; without
 * them an input is read from a record tensor, or, for one value per row, from the feature named by its
 * signature key).
 */
export interface TensorflowFactoryOptions {
  readonly runtime?: RuntimeChoice;
}

/** Metadata `runtime` wins over the factory's option. */
export function runtimeChoice(
  metadata: Readonly<Record<string, string>>,
  options: TensorflowFactoryOptions,
): RuntimeChoice {
  return metadata['runtime'] !== undefined
    ? parseRuntimeChoice(metadata['runtime'])
    : (options.runtime ?? 'auto');
}

/** Builds the engine and record bindings for a prepared graph. */
export async function buildModel(
  type: ModelType,
  spec: GraphSpec,
  metadata: Readonly<Record<string, string>>,
  bytes: Uint8Array,
  options: TensorflowFactoryOptions,
): Promise<TensorflowModel> {
  const choice = runtimeChoice(metadata, options);
  // Field lists in metadata also fix an input's width when the graph does not declare it.
  const withWidths: GraphSpec = {
    ...spec,
    inputs: spec.inputs.map((p, i) => {
      if (p.width !== undefined) return p;
      const fields = listedFields(metadata, p.key, i === 0);
      return fields ? { ...p, width: fields.length } : p;
    }),
  };
  const engine = await buildEngine(withWidths, choice);
  return bindModel(type, engine, spec.inputs, spec.outputs, metadata, bytes);
}

/**
 * Wraps a built engine as a served model: record bindings for its inputs (field names from metadata or the
 * signature, see resolveFields), its outputs and the post-processing. Disposes the engine when that fails.
 */
export function bindModel(
  type: ModelType,
  engine: Engine,
  inputPorts: readonly GraphPort[],
  outputPorts: readonly GraphPort[],
  metadata: Readonly<Record<string, string>>,
  bytes: Uint8Array,
): TensorflowModel {
  try {
    const inputs: InputBinding[] = inputPorts.map((p, i) => {
      const width = engine.inputWidths[i]!;
      const fields = resolveFields(metadata, p.key, i === 0, width);
      const node = p.tensor.replace(/:0$/, '');
      return fields ? { key: p.key, node, width, fields } : { key: p.key, node, width };
    });
    const outputs = outputPorts.map((p, j) => ({ key: p.key, width: engine.outputWidths[j]! }));
    if (outputs.length === 0) throw invalidArgument('the graph has no outputs');
    const postprocess = parsePostprocess(metadata['postprocess'], outputs[0]!.width);
    const labels = metadata['labels']?.split(',').map((l) => l.trim());
    return new TensorflowModel({
      type,
      engine,
      inputs,
      outputs,
      postprocess,
      ...(labels ? { labels } : {}),
      bytes,
    });
  } catch (err) {
    engine.dispose();
    throw err;
  }
}
