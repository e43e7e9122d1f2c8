import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  hasShared,
  readWineCsv,
  sharedPath,
  WINE_FIELDS,
  WINE_TENSORFLOW_METADATA as WINE_INPUTS,
  type WineRow,
} from '@modelserving/testing';
import { Code, ServingError, type ScoreOutput } from '@modelserving/model-core';
import { TensorflowModelFactory } from './frozen-graph-factory';
import { TensorflowSavedModelFactory } from './saved-model-factory';
import { writeTar } from './archive/tar';
import { readBundleIndex, readBundleTensor } from './saved-model/tensor-bundle';

/**
 * The seed's two wine TensorFlow models on all 1,599 rows of the red-wine CSV, checked against a forward
 * pass written here (3 dense layers, relu, relu, sigmoid) over weights read in the test: for the frozen
 * graph with a throwaway protobuf walker independent of the library's decoder; for the SavedModel from the
 * variables bundle (whose CRC32C checks vouch for the bytes). The graphs do not name their 11 inputs, so
 * they are deployed with metadata `inputs` naming the wine columns (WINE_TENSORFLOW_METADATA).
 */
const PB = ['fixtures', 'wine', 'tensorflow', 'optimized_WineQuality.pb'];
const SAVED = ['fixtures', 'wine', 'tensorflow', 'saved', '1'];
const CSV = ['fixtures', 'wine', 'winequality_red.csv'];
const available = hasShared(...PB) && hasShared(...SAVED) && hasShared(...CSV);

type Field = { f: number; v: number | Uint8Array };
/** Every field of one protobuf message (varints and length-delimited only, which is all we need). */
function walk(b: Uint8Array): Field[] {
  const out: Field[] = [];
  let p = 0;
  const varint = () => {
    let r = 0;
    let m = 1;
    for (;;) {
      const x = b[p++]!;
      r += (x & 0x7f) * m;
      if (x < 0x80) return r;
      m *= 128;
    }
  };
  while (p < b.length) {
    const key = varint();
    const wt = key & 7;
    const f = Math.floor(key / 8);
    if (wt === 0) out.push({ f, v: varint() });
    else if (wt === 2) {
      const n = varint();
      out.push({ f, v: b.subarray(p, p + n) });
      p += n;
    } else if (wt === 5) p += 4;
    else if (wt === 1) p += 8;
    else throw new Error(`wire type ${wt}`);
  }
  return out;
}
const text = (v: number | Uint8Array) => new TextDecoder().decode(v as Uint8Array);

interface Layer {
  w: Float32Array; // [in, out]
  b: Float32Array;
  rows: number;
  cols: number;
}

/** dense_N/kernel and dense_N/bias constants of the frozen graph, via the walker. */
function frozenLayers(pb: Uint8Array): Layer[] {
  const consts = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const node of walk(pb).filter((x) => x.f === 1)) {
    const fields = walk(node.v as Uint8Array);
    const name = text(fields.find((x) => x.f === 1)!.v);
    if (text(fields.find((x) => x.f === 2)!.v) !== 'Const') continue;
    for (const attr of fields.filter((x) => x.f === 5)) {
      const kv = walk(attr.v as Uint8Array);
      if (text(kv.find((x) => x.f === 1)!.v) !== 'value') continue;
      const tensor = walk(
        walk(kv.find((x) => x.f === 2)!.v as Uint8Array).find((x) => x.f === 8)!.v as Uint8Array,
      );
      const shape = walk(tensor.find((x) => x.f === 2)!.v as Uint8Array).map(
        (d) => walk(d.v as Uint8Array)[0]!.v as number,
      );
      const raw = tensor.find((x) => x.f === 4)!.v as Uint8Array;
      consts.set(name, { shape, data: new Float32Array(new Uint8Array(raw).buffer) });
    }
  }
  return [1, 2, 3].map((i) => {
    const k = consts.get(`dense_${i}/kernel`)!;
    return { w: k.data, b: consts.get(`dense_${i}/bias`)!.data, rows: k.shape[0]!, cols: k.shape[1]! };
  });
}

function savedLayers(dir: string): Layer[] {
  const bundle = readBundleIndex(readFileSync(join(dir, 'variables', 'variables.index')));
  const shard = readFileSync(join(dir, 'variables', 'variables.data-00000-of-00001'));
  return [1, 2, 3].map((i) => {
    const k = readBundleTensor(bundle, `dense_${i}/kernel`, () => shard);
    const b = readBundleTensor(bundle, `dense_${i}/bias`, () => shard);
    return { w: k.data as Float32Array, b: b.data as Float32Array, rows: k.shape[0]!, cols: k.shape[1]! };
  });
}

/** relu, relu, sigmoid: the Keras MLP 11→12→8→9. */
function forward(layers: Layer[], x: readonly number[]): number[] {
  let a = x.slice();
  layers.forEach((l, li) => {
    const z: number[] = [];
    for (let j = 0; j < l.cols; j++) {
      let s = l.b[j]!;
      for (let i = 0; i < l.rows; i++) s += a[i]! * l.w[i * l.cols + j]!;
      z.push(li < 2 ? Math.max(0, s) : 1 / (1 + Math.exp(-s)));
    }
    a = z;
  });
  return a;
}

const argmax = (v: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
};

function checkAll(
  rows: WineRow[],
  layers: Layer[],
  out: (ScoreOutput | Error)[],
): { maxDiff: number; correct: number } {
  let maxDiff = 0;
  let correct = 0;
  expect(out).toHaveLength(rows.length);
  rows.forEach((row, i) => {
    const o = out[i]!;
    if (o instanceof Error) throw o;
    const ref = forward(layers, Object.values(row.features));
    const p = o.tensors![0]!.data as Float32Array;
    expect(p).toHaveLength(9);
    for (let j = 0; j < 9; j++) maxDiff = Math.max(maxDiff, Math.abs(p[j]! - ref[j]!));
    expect(o.value).toBe(argmax(ref));
    expect(o.confidence).toBe(p[argmax(p)]);
    if (o.value === row.quality) correct++;
  });
  expect(maxDiff).toBeLessThan(1e-5);
  return { maxDiff, correct };
}

if (!available) {
  describe('wine TensorFlow models (shared fixtures)', () => {
    it.skip(`skipped: wine TensorFlow fixtures not found under ${sharedPath()} (set MODELSERVING_SHARED)`, () => {});
  });
}

describe.skipIf(!available)('wine TensorFlow models (shared fixtures)', () => {
  const rows = available ? readWineCsv(sharedPath(...CSV)) : [];
  const records = rows.map((r) => ({ dataType: 'wine', features: r.features }));
  const dir = sharedPath(...SAVED);

  it('reads 1,599 rows', () => expect(rows).toHaveLength(1599));

  it.each(['auto', 'tfjs-cpu'] as const)(
    'frozen graph (%s): argmax and all 9 probabilities within 1e-5 of the reference',
    async (runtime) => {
      const pb = readFileSync(sharedPath(...PB));
      const model = await new TensorflowModelFactory().build(pb, { runtime, ...WINE_INPUTS });
      expect(model.runtime).toBe(runtime === 'auto' ? 'fast-path' : 'tfjs-cpu');
      const { maxDiff, correct } = checkAll(rows, frozenLayers(pb), await model.scoreBatch(records));
      console.log(
        `frozen ${model.runtime}: max |Δp| = ${maxDiff.toExponential(2)}, argmax = quality on ${correct}/1599`,
      );
      // one record at a time goes through the same path
      expect(model.score(records[0]!).value).toBe((model.scoreBatch([records[0]!])[0] as ScoreOutput).value);
      await model.cleanup();
    },
  );

  it.each(['auto', 'tfjs-cpu'] as const)(
    'SavedModel by directory location (%s) matches the reference on all rows',
    async (runtime) => {
      const factory = new TensorflowSavedModelFactory();
      const model = await factory.create({
        key: 'wine/saved',
        name: 'saved',
        description: '',
        dataType: 'wine',
        modelType: factory.type,
        content: new Uint8Array(0),
        location: dir,
        metadata: { runtime, ...WINE_INPUTS },
      });
      expect(model.runtime).toBe(runtime === 'auto' ? 'fast-path' : 'tfjs-cpu');
      const { maxDiff, correct } = checkAll(rows, savedLayers(dir), await model.scoreBatch!(records));
      console.log(
        `saved ${model.runtime}: max |Δp| = ${maxDiff.toExponential(2)}, argmax = quality on ${correct}/1599`,
      );
    },
  );

  it('SavedModel inline as a tar (with a top folder), as saved_model.pb + file location, and restored from toBytes', async () => {
    const files = new Map<string, Uint8Array>();
    for (const e of readdirSync(dir, { recursive: true }) as string[]) {
      if (statSync(join(dir, e)).isFile())
        files.set(`export/1/${e.split('\\').join('/')}`, readFileSync(join(dir, e)));
    }
    const factory = new TensorflowSavedModelFactory();
    const layers = savedLayers(dir);
    const fromTar = await factory.build(writeTar(files), { signature: 'predict', ...WINE_INPUTS });
    checkAll(rows, layers, fromTar.scoreBatch(records));
    const fromPb = await factory.build(
      readFileSync(join(dir, 'saved_model.pb')),
      { ...WINE_INPUTS },
      join(dir, 'saved_model.pb'),
    );
    checkAll(rows, layers, fromPb.scoreBatch(records));
    const restored = await factory.restore(fromPb.toBytes(), {
      key: 'k',
      name: 'n',
      description: '',
      dataType: 'wine',
      modelType: factory.type,
      metadata: { ...WINE_INPUTS },
    });
    checkAll(rows, layers, (restored as typeof fromPb).scoreBatch(records));
  });

  it('without metadata inputs, a record of named features fails with INVALID_ARGUMENT; a tensor record is used as is', async () => {
    // The input is 11 wide, like the wine columns: its width must not make the library guess the names.
    const pb = readFileSync(sharedPath(...PB));
    const model = await new TensorflowModelFactory().build(pb, {});
    const [byName, byTensor] = model.scoreBatch([
      records[0]!,
      {
        dataType: 'wine',
        features: {},
        tensors: [
          {
            name: 'x',
            datatype: 'FP32',
            shape: [1, 11],
            data: Float32Array.from(WINE_FIELDS, (f) => rows[0]!.features[f]!),
          },
        ],
      },
    ]);
    expect(byName).toBeInstanceOf(ServingError);
    expect((byName as ServingError).code).toBe(Code.INVALID_ARGUMENT);
    expect((byName as ServingError).message).toMatch(
      /has no feature names: deploy the model with metadata 'inputs'/,
    );
    const withNames = await new TensorflowModelFactory().build(pb, { ...WINE_INPUTS });
    const expected = withNames.scoreBatch([records[0]!])[0] as ScoreOutput;
    expect(byTensor).not.toBeInstanceOf(Error);
    expect((byTensor as ScoreOutput).value).toBe(expected.value);
    expect((byTensor as ScoreOutput).tensors![0]!.data).toEqual(expected.tensors![0]!.data);
    model.cleanup();
    withNames.cleanup();
  });
});
