import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { Code, ServingError, type FeatureValue, type Model } from '@modelserving/model-core';
import {
  defaultModelFormats,
  findModelFormat,
  formatForExtension,
  type ModelFormat,
} from '@modelserving/model-formats';
import { PmmlModel } from '@modelserving/pmml';
import { UsageError } from '../errors';

/**
 * The model formats `score` and `verify` can load from a file: the executor's list
 * (@modelserving/model-formats), so a model scores here exactly as it would when served.
 */
export type BatchFactory = ModelFormat;

export const factories: readonly BatchFactory[] = defaultModelFormats();

export function batchTypeNames(): string[] {
  return factories.map((f) => f.name);
}

/** `--type` → its format; without `--type`, the file extension decides, then the first format (PMML). */
export function factoryFor(type: string | undefined, file: string): BatchFactory {
  if (type !== undefined) {
    const found = findModelFormat(factories, type);
    if (found) return found;
    throw new UsageError(`--type must be one of ${batchTypeNames().join(', ')}, got '${type}'`);
  }
  return formatForExtension(factories, extname(file)) ?? factories[0]!;
}

export interface LoadedModel {
  readonly model: Model;
  readonly format: BatchFactory;
  /** Result columns in output order: target field(s), then output fields, as the model names them. */
  readonly columns: readonly string[];
  readonly target?: string;
}

/**
 * Reads and builds a model file with the given descriptor metadata (e.g. a TensorFlow model's `inputs`);
 * every failure is a ServingError naming the file.
 */
export async function loadModelFile(
  file: string,
  type: string | undefined,
  metadata: Readonly<Record<string, string>> = {},
): Promise<LoadedModel> {
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
      metadata: { ...metadata },
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
