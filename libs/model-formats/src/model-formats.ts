import { ModelType, parseModelType, type ModelFactory } from '@modelserving/model-core';
import { PfaModelFactory } from '@modelserving/pfa';
import { PmmlModelFactory } from '@modelserving/pmml';
import { TensorflowModelFactory, TensorflowSavedModelFactory } from '@modelserving/tensorflow';

/**
 * Every model format the project serves, in one list: the executor registers these factories and
 * `modelserving score`/`verify` build model files through the same ones, so a model scores locally
 * exactly as it would when served. Adding a format is one entry in `defaultModelFormats`.
 */
export interface ModelFormat {
  /** Short lower-case name (`pmml`, `tensorflow_saved`): the CLI's `--type` value. */
  readonly name: string;
  readonly modelType: ModelType;
  /** File extensions that suggest this format when none is named (lower case, with the dot). */
  readonly extensions: readonly string[];
  /**
   * How text cells (a CSV row) reach the model: `text` leaves typing to the model (PMML parses each cell
   * by its DataDictionary type, so `007` stays a category), `numbers` converts numeric cells (tensor and
   * PFA models, whose inputs are typed by the engine, not the document).
   */
  readonly cells: 'text' | 'numbers';
  readonly factory: ModelFactory;
}

/** A fresh set of the formats (and factory instances) the services and the CLI support. */
export function defaultModelFormats(): ModelFormat[] {
  return [
    {
      name: 'pmml',
      modelType: ModelType.PMML,
      extensions: ['.pmml', '.xml'],
      cells: 'text',
      factory: new PmmlModelFactory(),
    },
    {
      name: 'pfa',
      modelType: ModelType.PFA,
      extensions: ['.pfa', '.json', '.yaml', '.yml'],
      cells: 'numbers',
      factory: new PfaModelFactory(),
    },
    {
      name: 'tensorflow',
      modelType: ModelType.TENSORFLOW,
      extensions: ['.pb'],
      cells: 'numbers',
      factory: new TensorflowModelFactory(),
    },
    {
      // A SavedModel (or TensorFlow.js model): its directory, a saved_model.pb inside one, or a .tar/.zip.
      name: 'tensorflow_saved',
      modelType: ModelType.TENSORFLOW_SAVED,
      extensions: ['.tar', '.zip', '.tgz'],
      cells: 'numbers',
      factory: new TensorflowSavedModelFactory(),
    },
  ];
}

/** The factories of defaultModelFormats, one per model type: what an executor registers. */
export function defaultModelFactories(): ModelFactory[] {
  return defaultModelFormats().map((f) => f.factory);
}

/**
 * A format by its name (`pmml`) or a model type name (`PMML`, `TENSORFLOWSAVED`, `SAVED_MODEL`, …),
 * case-insensitive; undefined when nothing matches.
 */
export function findModelFormat(formats: readonly ModelFormat[], type: string): ModelFormat | undefined {
  const t = type.trim().toLowerCase();
  const byName = formats.find((f) => f.name === t);
  if (byName) return byName;
  let modelType: ModelType | undefined;
  try {
    modelType = parseModelType(t);
  } catch {
    return undefined;
  }
  return formats.find((f) => f.modelType === modelType);
}

/** The format a file extension suggests (`.pb` → tensorflow), case-insensitive; undefined when none. */
export function formatForExtension(
  formats: readonly ModelFormat[],
  extension: string,
): ModelFormat | undefined {
  const ext = extension.toLowerCase();
  return formats.find((f) => f.extensions.includes(ext));
}
