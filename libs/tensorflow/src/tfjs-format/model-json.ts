import { invalidArgument } from '@modelserving/model-core';
import type { WeightSpec } from '../tfjs/graph-model-json';

/** A TensorFlow.js model as its files describe it: model.json parsed, weight shards joined in manifest order. */
export interface TfjsModel {
  readonly format: 'layers-model' | 'graph-model';
  readonly modelTopology: Record<string, unknown>;
  readonly weightSpecs: WeightSpec[];
  readonly weightData: ArrayBuffer;
  /** Graph models: `signature.inputs/outputs` (key → { name: 'node:0', … }), when the converter wrote one. */
  readonly signature?: {
    inputs?: Record<string, { name?: string }>;
    outputs?: Record<string, { name?: string }>;
  };
  readonly versions?: { producer: number; minConsumer: number };
}

interface ManifestGroup {
  paths?: unknown;
  weights?: unknown;
}

const MODEL_JSON = 'model.json';

/**
 * Reads `model.json` and its weight files from `files` (paths relative to model.json's directory, as the
 * tfjs converter and `model.save` write them). Everything comes from the given files: tfjs itself never
 * fetches anything, so a model served by location or archive behaves like one sent inline.
 */
export function readTfjsModel(files: ReadonlyMap<string, Uint8Array>): TfjsModel {
  const raw = files.get(MODEL_JSON);
  if (!raw) throw invalidArgument('TensorFlow.js: model.json is missing');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder('utf-8').decode(raw)) as Record<string, unknown>;
  } catch (err) {
    throw invalidArgument(`TensorFlow.js: model.json is not valid JSON (${(err as Error).message})`, err);
  }
  const topology = json['modelTopology'];
  if (!topology || typeof topology !== 'object')
    throw invalidArgument('TensorFlow.js: model.json has no modelTopology');
  const modelTopology = topology as Record<string, unknown>;
  const format = formatOf(json['format'], modelTopology);
  const manifest = json['weightsManifest'] ?? [];
  if (!Array.isArray(manifest)) throw invalidArgument('TensorFlow.js: weightsManifest is not a list');
  const weightSpecs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const group of manifest as ManifestGroup[]) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights))
      throw invalidArgument('TensorFlow.js: a weightsManifest group lacks paths or weights');
    for (const p of group.paths) {
      if (
        typeof p !== 'string' ||
        /^[a-z][a-z0-9+.-]*:/i.test(p) ||
        p.startsWith('/') ||
        p.split('/').includes('..')
      ) {
        throw invalidArgument(`TensorFlow.js: weight path '${String(p)}' must be relative to model.json`);
      }
      const name = p.replace(/^\.\//, '');
      const data = files.get(name);
      if (!data) throw invalidArgument(`TensorFlow.js: weight file '${name}' named in model.json is missing`);
      chunks.push(data);
    }
    weightSpecs.push(...(group.weights as WeightSpec[]));
  }
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    weightData.set(c, off);
    off += c.length;
  }
  const signature = json['signature'];
  const versions = versionsOf(modelTopology['versions']);
  return {
    format,
    modelTopology,
    weightSpecs,
    weightData: weightData.buffer,
    ...(signature && typeof signature === 'object'
      ? { signature: signature as TfjsModel['signature'] & object }
      : {}),
    ...(versions ? { versions } : {}),
  };
}

/** `format` when given; older files omit it, and a GraphDef topology (a `node` list) then means a graph model. */
function formatOf(format: unknown, topology: Record<string, unknown>): TfjsModel['format'] {
  if (format === 'layers-model' || format === 'graph-model') return format;
  if (format !== undefined && format !== null)
    throw invalidArgument(
      `TensorFlow.js: model.json format '${String(format)}' is not layers-model or graph-model`,
    );
  return Array.isArray(topology['node']) ? 'graph-model' : 'layers-model';
}

function versionsOf(v: unknown): TfjsModel['versions'] {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  return { producer: Number(o['producer'] ?? 0), minConsumer: Number(o['minConsumer'] ?? 0) };
}
