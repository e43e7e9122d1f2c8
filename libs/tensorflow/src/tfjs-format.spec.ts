import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Code, ServingError, type DataToServe, type ScoreOutput } from '@modelserving/model-core';
import { constF, denseNet, denseNetReference, op, placeholder } from './__fixtures__/graphs';
import { writeTar } from './archive/tar';
import { TensorflowSavedModelFactory } from './saved-model-factory';
import { toGraphModelArtifacts, type WeightSpec } from './tfjs/graph-model-json';
import { loadTfjs } from './tfjs/tfjs-runtime';

/**
 * TensorFlow.js model.json formats, served as TENSORFLOW_SAVED (a directory, archive or inline model.json
 * holding model.json is a tfjs model). Layers-model fixtures are written by tfjs itself (`model.save` with
 * a save handler); graph-model fixtures by the library's GraphDef → graph-model converter.
 */
const factory = new TensorflowSavedModelFactory();
const IN = 4;
const HID = 6;
const OUT = 3;
const W1 = Array.from({ length: IN * HID }, (_, i) => Math.fround(Math.sin(i * 0.7 + 0.3)));
const B1 = Array.from({ length: HID }, (_, i) => Math.fround(0.05 * (i - 3)));
const W2 = Array.from({ length: HID * OUT }, (_, i) => Math.fround(Math.cos(i * 1.1) * 0.8));
const B2 = Array.from({ length: OUT }, (_, i) => Math.fround(0.1 * (1 - i)));
const xs = [
  [0, 0, 0, 0],
  [1, -2, 3, 0.5],
  [-1, 0.25, 2, -3],
  [4, 1, -0.5, 2],
];
const records: DataToServe[] = xs.map((x) => ({
  dataType: 't',
  features: { a: x[0]!, b: x[1]!, c: x[2]!, d: x[3]! },
}));

/** softmax(relu(x·W1 + b1)·W2 + b2) in plain JS. */
function reference(x: readonly number[]): number[] {
  const h = Array.from({ length: HID }, (_, j) =>
    Math.max(
      0,
      x.reduce((s, v, i) => s + v * W1[i * HID + j]!, B1[j]!),
    ),
  );
  const z = Array.from({ length: OUT }, (_, j) => h.reduce((s, v, i) => s + v * W2[i * OUT + j]!, B2[j]!));
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  return e.map((v) => v / e.reduce((a, b) => a + b, 0));
}

/** |actual[j] - expected[j]| < tol for every j, after checking the lengths agree (a truncated or extended output fails). */
function expectNear(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(Array.from(actual)).toHaveLength(expected.length);
  expected.forEach((v, j) => expect(Math.abs(actual[j]! - v), `element ${j}`).toBeLessThan(tol));
}

function maxDiff(
  out: (ScoreOutput | Error)[],
  ref: (x: readonly number[]) => number[],
  inputs: number[][] = xs,
): number {
  let d = 0;
  expect(out).toHaveLength(inputs.length);
  out.forEach((o, i) => {
    if (o instanceof Error) throw o;
    const r = ref(inputs[i]!);
    const p = o.tensors![0]!.data as Float32Array;
    expect(p).toHaveLength(r.length);
    r.forEach((v, j) => (d = Math.max(d, Math.abs(p[j]! - v))));
    expect(o.value).toBe(r.indexOf(Math.max(...r)));
  });
  return d;
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServingError);
  expect((err as ServingError).code).toBe(Code.INVALID_ARGUMENT);
  return (err as ServingError).message;
}

/** model.json + one weight shard, as `tfjs.converters.save_keras_model` / `model.save('file://…')` lay them out. */
function modelFiles(
  format: string,
  modelTopology: unknown,
  weightSpecs: unknown,
  weightData: ArrayBuffer,
  extra: Record<string, unknown> = {},
) {
  const json = {
    format,
    generatedBy: 'test',
    convertedBy: null,
    modelTopology,
    weightsManifest: [{ paths: ['./group1-shard1of1.bin'], weights: weightSpecs }],
    ...extra,
  };
  return new Map<string, Uint8Array>([
    ['model.json', new TextEncoder().encode(JSON.stringify(json))],
    ['group1-shard1of1.bin', new Uint8Array(weightData)],
  ]);
}

async function layersModelFiles(): Promise<Map<string, Uint8Array>> {
  const { tf } = await loadTfjs('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IN], units: HID, activation: 'relu' }),
      tf.layers.dense({ units: OUT, activation: 'softmax' }),
    ],
  });
  model.setWeights([
    tf.tensor2d(W1, [IN, HID]),
    tf.tensor1d(B1),
    tf.tensor2d(W2, [HID, OUT]),
    tf.tensor1d(B2),
  ]);
  let saved: { modelTopology?: unknown; weightSpecs?: unknown; weightData?: unknown } = {};
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return modelFiles('layers-model', saved.modelTopology, saved.weightSpecs, saved.weightData as ArrayBuffer);
}

const tmp = mkdtempSync(join(tmpdir(), 'tfjs-format-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TensorFlow.js layers model (model.json + weights, tf.loadLayersModel)', () => {
  it('from a tar and a gzipped tar with a top folder: matches the plain-JS forward pass within 1e-5', async () => {
    const files = await layersModelFiles();
    const m = await factory.build(writeTar(files), { inputs: 'a,b,c,d' });
    expect(m.runtime).toBe('tfjs-cpu');
    expect(maxDiff(m.scoreBatch(records), reference)).toBeLessThan(1e-5);
    expect(
      maxDiff(
        records.map((r) => m.score(r)),
        reference,
      ),
    ).toBeLessThan(1e-5);
    expect(m.signature().outputs[0]!.shape).toEqual([-1, OUT]);
    expect(m.signature().outputs[0]!.name).toMatch(/^dense_Dense\d+$/);
    const nested = new Map([...files].map(([k, v]) => [`web_model/${k}`, v]));
    const g = await factory.build(gzipSync(writeTar(nested)), { inputs: 'a,b,c,d' });
    expect(maxDiff(g.scoreBatch(records), reference)).toBeLessThan(1e-5);
    const back = await factory.restore(m.toBytes(), {
      key: 'k',
      name: 'n',
      description: '',
      dataType: 't',
      modelType: factory.type,
      metadata: { inputs: 'a,b,c,d' },
    });
    expect(maxDiff((back as typeof m).scoreBatch(records), reference)).toBeLessThan(1e-5);
    await m.cleanup();
  });

  it('by directory location, and as inline model.json with its file location (weights read beside it)', async () => {
    const dir = join(tmp, 'layers');
    const files = await layersModelFiles();
    mkdirSync(dir, { recursive: true });
    for (const [k, v] of files) writeFileSync(join(dir, k), v);
    const base = {
      key: 'k',
      name: 'n',
      description: '',
      dataType: 't',
      modelType: factory.type,
      metadata: { inputs: 'a,b,c,d' },
    };
    const byDir = await factory.create({ ...base, content: new Uint8Array(0), location: dir });
    expect(maxDiff(await byDir.scoreBatch!(records), reference)).toBeLessThan(1e-5);
    const inline = await factory.create({
      ...base,
      content: files.get('model.json')!,
      location: join(dir, 'model.json'),
    });
    expect(maxDiff(await inline.scoreBatch!(records), reference)).toBeLessThan(1e-5);
  });

  it('errors: a missing weight file, a fast-path request, a broken model.json', async () => {
    const files = await layersModelFiles();
    files.delete('group1-shard1of1.bin');
    expect(await errorOf(factory.build(writeTar(files)))).toBe(
      "TensorFlow.js: weight file 'group1-shard1of1.bin' named in model.json is missing",
    );
    expect(
      await errorOf(factory.build(writeTar(await layersModelFiles()), { runtime: 'fast-path' })),
    ).toMatch(/layers models run on tfjs/);
    const bad = new Map([['model.json', new TextEncoder().encode('{"modelTopology": ')]]);
    expect(await errorOf(factory.build(writeTar(bad)))).toMatch(/model.json is not valid JSON/);
  });
});

describe('TensorFlow.js graph model (format graph-model)', () => {
  const graphFiles = (nodes = denseNet(), extra: Record<string, unknown> = {}) => {
    const a = toGraphModelArtifacts(nodes, { producer: 1286, minConsumer: 0 });
    return modelFiles('graph-model', a.modelTopology, a.weightSpecs, a.weightData, extra);
  };
  const pairs = [
    [0, 0],
    [1, 2],
    [-1.5, 0.5],
    [3, -2],
  ];
  const pairRecords: DataToServe[] = pairs.map((x) => ({ dataType: 't', features: { a: x[0]!, b: x[1]! } }));

  it.each(['auto', 'tfjs-cpu'] as const)(
    'runs (%s: fast path when every op is covered) and matches the reference',
    async (runtime) => {
      const m = await factory.build(writeTar(graphFiles()), { inputs: 'a,b', runtime });
      expect(m.runtime).toBe(runtime === 'auto' ? 'fast-path' : 'tfjs-cpu');
      expect(maxDiff(m.scoreBatch(pairRecords), denseNetReference, pairs)).toBeLessThan(1e-5);
    },
  );

  it('uses the converter signature for names, and tfjs (on the original files) for ops the fast path lacks', async () => {
    const nodes = [
      placeholder('x', [-1, 2]),
      constF('w', [2, 2], [1, 0.5, -0.5, 2]),
      op('mm', 'MatMul', ['x', 'w']),
      op('y', 'Cos', ['mm']),
    ];
    const signature = { inputs: { features: { name: 'x:0' } }, outputs: { cosine: { name: 'y:0' } } };
    const m = await factory.build(writeTar(graphFiles(nodes, { signature })), {
      inputs: 'a,b',
      postprocess: 'none',
    });
    expect(m.runtime).toBe('tfjs-cpu');
    const ref = (x: readonly number[]) => [
      Math.cos(x[0]! * 1 + x[1]! * -0.5),
      Math.cos(x[0]! * 0.5 + x[1]! * 2),
    ];
    const out = m.scoreBatch(pairRecords);
    expect(out).toHaveLength(pairs.length);
    out.forEach((o, i) => {
      if (o instanceof Error) throw o;
      expect(o.tensors![0]!.name).toBe('cosine');
      expectNear(o.tensors![0]!.data as Float32Array, ref(pairs[i]!), 1e-5);
    });
    // a tensor named after the signature key feeds the input
    const t = m.score({
      dataType: 't',
      features: {},
      tensors: [{ name: 'features', datatype: 'FP32', shape: [1, 2], data: Float32Array.of(1, 2) }],
    });
    expectNear(t.tensors![0]!.data as Float32Array, ref([1, 2]), 1e-5);
  });

  it('dequantises uint8 / float16 converter weights exactly as tfjs does (fast path vs tfjs on the original files)', async () => {
    const a = toGraphModelArtifacts(denseNet(), { producer: 1286, minConsumer: 0 });
    const src = new Uint8Array(a.weightData);
    const specs: WeightSpec[] = [];
    const parts: Uint8Array[] = [];
    let off = 0;
    for (const w of a.weightSpecs) {
      const n = w.shape.reduce((x, y) => x * y, 1) * 4;
      const vals = new Float32Array(src.slice(off, off + n).buffer);
      off += n;
      if (w.name === 'w2') {
        const min = Math.min(...vals);
        const scale = (Math.max(...vals) - min) / 255;
        specs.push({ ...w, quantization: { dtype: 'uint8', scale, min } });
        parts.push(Uint8Array.from(vals, (v) => Math.round((v - min) / scale)));
      } else if (w.name === 'w1') {
        specs.push({ ...w, quantization: { dtype: 'float16' } });
        parts.push(new Uint8Array(Uint16Array.from(vals, toHalf).buffer));
      } else {
        specs.push(w);
        parts.push(src.slice(off - n, off));
      }
    }
    const data = new Uint8Array(parts.reduce((x, p) => x + p.length, 0));
    parts.reduce((o, p) => (data.set(p, o), o + p.length), 0);
    const files = modelFiles('graph-model', a.modelTopology, specs, data.buffer);
    const fast = await factory.build(writeTar(files), { inputs: 'a,b' });
    const slow = await factory.build(writeTar(files), { inputs: 'a,b', runtime: 'tfjs-cpu' });
    expect([fast.runtime, slow.runtime]).toEqual(['fast-path', 'tfjs-cpu']);
    const f = fast.scoreBatch(pairRecords);
    const t = slow.scoreBatch(pairRecords);
    const quantised = (x: readonly number[]) =>
      Array.from((t[pairs.findIndex((p) => p === x)] as ScoreOutput).tensors![0]!.data as Float32Array);
    expect(maxDiff(f, quantised, pairs)).toBeLessThan(1e-5);
    // and the quantisation only moved the probabilities a little
    expect(maxDiff(f, denseNetReference, pairs)).toBeLessThan(0.02);
  });

  it('a weight manifest that does not match the weight bytes is an error naming the weight', async () => {
    const files = graphFiles();
    files.set('group1-shard1of1.bin', files.get('group1-shard1of1.bin')!.subarray(0, 20));
    expect(await errorOf(factory.build(writeTar(files), { inputs: 'a,b' }))).toMatch(
      /weight '\w+' runs past the end of the weight files/,
    );
  });
});

/** float32 → IEEE half bits (round to nearest; the test values are normal numbers well inside range). */
function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  if (exp <= 0) return sign;
  const h = sign | (exp << 10) | (mant >>> 13);
  return mant & 0x1000 ? h + 1 : h;
}
