import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import {
  Code,
  ModelType,
  ServingError,
  parseModelType,
  type FeatureValue,
  type Model,
  type ModelFactory,
} from '@modelserving/model-core';
import { PfaModelFactory } from '@modelserving/pfa';
import { PmmlModel, PmmlModelFactory } from '@modelserving/pmml';
import { TensorflowModelFactory, TensorflowSavedModelFactory } from '@modelserving/tensorflow';
import { UsageError } from '../errors';

/**
 * The model formats `score` and `verify` can load from a file. Each goes through its ModelFactory — the same
 * class the executor registers — so a model scores here exactly as it would when served. Adding a format
 * is one entry in `factories`.
 */
export interface BatchFactory {
  /** The `--type` value (model type names such as `PMML` are accepted too). */
  readonly name: string;
  readonly modelType: ModelType;
  /** File extensions that select this format when `--type` is omitted. */
  readonly extensions: readonly string[];
  readonly factory: ModelFactory;
  /**
   * How CSV cells reach the model: `text` leaves typing to the model (PMML parses each cell by its
   * DataDictionary type, so `007` stays a category), `numbers` converts numeric cells (tensor models).
   */
  readonly cells: 'text' | 'numbers';
}

export const factories: BatchFactory[] = [
  {
    name: 'pmml',
    modelType: ModelType.PMML,
    extensions: ['.pmml', '.xml'],
    factory: new PmmlModelFactory(),
    cells: 'text',
  },
  {
    name: 'pfa',
    modelType: ModelType.PFA,
    extensions: ['.pfa', '.json', '.yaml', '.yml'],
    factory: new PfaModelFactory(),
    cells: 'numbers',
  },
  {
    name: 'tensorflow',
    modelType: ModelType.TENSORFLOW,
    extensions: ['.pb'],
    factory: new TensorflowModelFactory(),
    cells: 'numbers',
  },
  {
    // A SavedModel: its directory, a saved_model.pb inside one, or a .tar/.zip of it.
    name: 'tensorflow_saved',
    modelType: ModelType.TENSORFLOW_SAVED,
    extensions: ['.tar', '.zip', '.tgz'],
    factory: new TensorflowSavedModelFactory(),
    cells: 'numbers',
  },
];

export function batchTypeNames(): string[] {
  return factories.map((f) => f.name);
}

/** `--type` → its factory; without `--type`, the file extension decides, then the first format (PMML). */
export function factoryFor(type: string | undefined, file: string): BatchFactory {
  if (type !== undefined) {
    const t = type.trim().toLowerCase();
    const byName = factories.find((f) => f.name === t);
    if (byName) return byName;
    let modelType: number | undefined;
    try {
      modelType = parseModelType(t);
    } catch {
      modelType = undefined;
    }
    const byType = factories.find((f) => f.modelType === modelType);
    if (byType) return byType;
    throw new UsageError(`--type must be one of ${batchTypeNames().join(', ')}, got '${type}'`);
  }
  const ext = extname(file).toLowerCase();
  return factories.find((f) => f.extensions.includes(ext)) ?? factories[0]!;
}

export interface LoadedModel {
  readonly model: Model;
  readonly format: BatchFactory;
  /** Result columns in output order: target field(s), then output fields, as the model names them. */
  readonly columns: readonly string[];
  readonly target?: string;
}

/** Reads and builds a model file; every failure is a ServingError naming the file. */
export async function loadModelFile(file: string, type: string | undefined): Promise<LoadedModel> {
  const format = factoryFor(type, file);
  let content: Buffer;
  try {
    // A directory (a SavedModel) is read by its factory from `location`, as in the executor.
    content = (await stat(file)).isDirectory() ? Buffer.alloc(0) : await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? Code.NOT_FOUND : Code.FAILED_PRECONDITION;
    throw new ServingError(code, `cannot read model file ${file}: ${(err as Error).message}`);
  }
  const name = basename(file, extname(file)).replace(/[^A-Za-z0-9._:-]/g, '_') || 'model';
  let model: Model;
  try {
    model = await format.factory.create({
      key: `batch/${name}`,
      name,
      description: '',
      dataType: 'batch',
      modelType: format.modelType,
      content,
      location: resolve(file),
      metadata: {},
    });
  } catch (err) {
    const e = ServingError.from(err, Code.INVALID_ARGUMENT);
    throw new ServingError(e.code, `cannot build ${format.name} model ${file}: ${e.message}`);
  }
  const signature = model.signature();
  return {
    model,
    format,
    columns: resultColumns(model),
    ...(signature.target !== undefined ? { target: signature.target } : {}),
  };
}

/**
 * PMML compares and writes the target plus the OutputFields that are final results (isFinalResult="false"
 * marks intermediate values), including what a modelChain/selectFirst exposes from its segments; other
 * formats report their outputs through the signature.
 */
export function resultColumns(model: Model): string[] {
  if (model instanceof PmmlModel) return model.evaluator.resultColumns();
  const sig = model.signature();
  const names = sig.outputs.map((o) => o.name);
  if (sig.target !== undefined && !names.includes(sig.target)) names.unshift(sig.target);
  return names;
}

/** A CSV cell as the format wants it: missing markers are null; `numbers` formats get numeric cells as numbers. */
export function cellValue(cell: string, cells: BatchFactory['cells']): FeatureValue {
  const t = cell.trim();
  if (t === '' || t === 'NA' || t === 'N/A') return null;
  if (cells === 'numbers') {
    const n = Number(t);
    if (Number.isFinite(n)) return n;
  }
  return cell;
}
