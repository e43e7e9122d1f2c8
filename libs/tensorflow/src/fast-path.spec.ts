import { describe, expect, it } from 'vitest';
import { Code, ServingError, type ScoreOutput } from '@modelserving/model-core';
import { denseNet, denseNetReference, graphBytes, op, placeholder, constF } from './__fixtures__/graphs';
import { TensorflowModelFactory } from './frozen-graph-factory';
import { FAST_PATH_OPS } from './fast-path/compile-graph';

const factory = new TensorflowModelFactory();
const inputs = [
  [0, 0],
  [1, 2],
  [-1.5, 0.5],
  [3, -2],
  [0.25, 10],
  [-7, -7],
];
const records = inputs.map((x) => ({ dataType: 't', features: { a: x[0]!, b: x[1]! } }));
const meta = { inputs: 'a,b' };
const probs = (o: ScoreOutput | Error) => {
  if (o instanceof Error) throw o;
  return Array.from(o.tensors![0]!.data as Float32Array);
};

/** |actual[j] - expected[j]| < tol for every j, after checking the lengths agree (a truncated or extended output fails). */
function expectNear(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(Array.from(actual)).toHaveLength(expected.length);
  expected.forEach((v, j) => expect(Math.abs(actual[j]! - v), `element ${j}`).toBeLessThan(tol));
}

describe('fast path on a hand-built GraphDef', () => {
  const bytes = graphBytes(denseNet());

  it('compiles every node of the net (runtime fast-path) and matches a plain-JS reference', async () => {
    const m = await factory.build(bytes, meta);
    expect(m.runtime).toBe('fast-path');
    const out = m.scoreBatch(records);
    expect(out).toHaveLength(records.length);
    inputs.forEach((x, i) => {
      const ref = denseNetReference(x);
      expectNear(probs(out[i]!), ref, 1e-6);
      const o = out[i] as ScoreOutput;
      expect(o.value).toBe(ref[0]! >= ref[1]! ? 0 : 1);
      expect(o.confidence).toBeCloseTo(Math.max(...ref), 6);
    });
  });

  it('agrees with tfjs (cpu) within 1e-5 on the same graph, batch and single', async () => {
    const fast = await factory.build(bytes, meta);
    const tfjs = await factory.build(bytes, { ...meta, runtime: 'tfjs-cpu' });
    expect(tfjs.runtime).toBe('tfjs-cpu');
    const a = fast.scoreBatch(records);
    const b = tfjs.scoreBatch(records);
    expect(a).toHaveLength(records.length);
    expect(b).toHaveLength(records.length);
    for (let i = 0; i < records.length; i++) {
      const pa = probs(a[i]!);
      const pb = probs(b[i]!);
      const single = probs(tfjs.score(records[i]!));
      // Both against the plain-JS reference (so an output of the wrong length fails), then against each other.
      expectNear(pa, denseNetReference(inputs[i]!), 1e-5);
      expectNear(pb, pa, 1e-5);
      expectNear(single, pa, 1e-5);
    }
    await fast.cleanup();
    await tfjs.cleanup();
  });

  it('covers each listed op family', () => {
    const used = new Set(denseNet().map((n) => n.op));
    for (const o of [
      'Placeholder',
      'Const',
      'Identity',
      'MatMul',
      'BiasAdd',
      'Add',
      'AddV2',
      'Sub',
      'Mul',
      'Relu',
      'Relu6',
      'Sigmoid',
      'Tanh',
      'Softmax',
      'Reshape',
      'ConcatV2',
    ]) {
      expect(used.has(o), o).toBe(true);
      expect(FAST_PATH_OPS).toContain(o);
    }
  });

  it('grows its buffers with the batch size and keeps results per record', async () => {
    const m = await factory.build(bytes, meta);
    const big = Array.from({ length: 300 }, (_, i) => ({
      dataType: 't',
      features: { a: i / 50, b: -i / 70 },
    }));
    const out = m.scoreBatch(big);
    expect(out).toHaveLength(big.length);
    big.forEach((r, i) => {
      const ref = denseNetReference([r.features.a, r.features.b]);
      expectNear(probs(out[i]!), ref, 1e-6);
    });
  });

  it('reads OIP tensors, and a bad record fails alone', async () => {
    const m = await factory.build(bytes, meta);
    const t = {
      dataType: 't',
      features: {},
      tensors: [{ name: 'x', datatype: 'FP32' as const, shape: [1, 2], data: Float32Array.from([1, 2]) }],
    };
    const out = m.scoreBatch([t, { dataType: 't', features: { a: 1 } }, records[1]!]);
    const ref = denseNetReference([1, 2]);
    expect(out).toHaveLength(3);
    expectNear(probs(out[0]!), ref, 1e-6);
    expect(out[1]).toBeInstanceOf(ServingError);
    expect((out[1] as ServingError).code).toBe(Code.INVALID_ARGUMENT);
    expect((out[1] as Error).message).toContain("'b' is missing");
    expect(probs(out[2]!)).toEqual(probs(out[0]!));
    expect(() => m.score({ dataType: 't', features: { a: 'x', b: 1 } })).toThrow(
      /^field 'a' is not a number$/,
    );
  });

  it('honours postprocess none and labels', async () => {
    const none = await factory.build(bytes, { ...meta, postprocess: 'none' });
    expect(none.score(records[1]!).value).toBeCloseTo(denseNetReference(inputs[1]!)[0]!, 6);
    const labelled = await factory.build(bytes, { ...meta, labels: 'low,high' });
    const ref = denseNetReference(inputs[1]!);
    expect(labelled.score(records[1]!).value).toBe(ref[0]! >= ref[1]! ? 'low' : 'high');
  });

  it('falls back to tfjs for an op outside the fast path (Floor), and names ops nobody supports', async () => {
    const floor = graphBytes([placeholder('x'), op('y', 'Floor', ['x'])]);
    const m = await factory.build(floor, meta);
    expect(m.runtime).toMatch(/^tfjs-/);
    expect(probs(m.score(records[2]!))).toEqual([-2, 0]);
    await expect(factory.build(floor, { ...meta, runtime: 'fast-path' })).rejects.toThrow(
      /op Floor \(node 'y'\)/,
    );

    const bogus = graphBytes([placeholder('x'), op('y', 'FrobnicateV7', ['x'])]);
    const err = await factory.build(bogus, meta).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServingError);
    expect((err as ServingError).code).toBe(Code.INVALID_ARGUMENT);
    expect((err as Error).message).toContain('FrobnicateV7');
    expect((err as Error).message).toContain("'y'");
  });

  it('infers the input width from the first weight matrix when the placeholder has no shape', async () => {
    const nodes = [placeholder('x', undefined), constF('w', [2, 1], [2, 3]), op('y', 'MatMul', ['x', 'w'])];
    for (const runtime of ['auto', 'tfjs-cpu']) {
      const m = await factory.build(graphBytes(nodes), { ...meta, runtime });
      expect(m.score(records[1]!).value).toBeCloseTo(1 * 2 + 2 * 3, 5);
    }
  });
});
