import { describe, expect, it } from 'vitest';
import { Code, ServingError, type DataToServe, type ScoreOutput } from '@modelserving/model-core';
import { writeBundle } from './__fixtures__/bundle-writer';
import {
  savedModelBytes,
  TF2_IN,
  tf2Reference,
  tf2SavedModelFiles,
  type Tf2Options,
} from './__fixtures__/tf2-saved-model';
import { DType } from './graph/dtype';
import { encodeGraphDef, type AttrValue } from './graph/graph-def';
import { writeTar } from './archive/tar';
import { savedModelSpec, TensorflowSavedModelFactory } from './saved-model-factory';

const factory = new TensorflowSavedModelFactory();
const inputs = [
  [0, 0, 0, 0],
  [1, 2, 3, 4],
  [-1.5, 0.5, 2, -3],
  [3, -2, 0.25, 1],
  [10, -7, 4, 0.5],
];
const records: DataToServe[] = inputs.map((x) => ({
  dataType: 't',
  features: {},
  tensors: [
    { name: 'dense_input', datatype: 'FP32' as const, shape: [1, TF2_IN], data: Float32Array.from(x) },
  ],
}));
const tar = (o: Tf2Options = {}) => writeTar(tf2SavedModelFiles(o));

/** |actual[j] - expected[j]| < tol for every j, after checking the lengths agree (a truncated or extended output fails). */
function expectNear(actual: ArrayLike<number>, expected: readonly number[], tol: number): void {
  expect(Array.from(actual)).toHaveLength(expected.length);
  expected.forEach((v, j) => expect(Math.abs(actual[j]! - v), `element ${j}`).toBeLessThan(tol));
}

function expectReference(out: (ScoreOutput | Error)[]): number {
  let maxDiff = 0;
  expect(out).toHaveLength(inputs.length);
  out.forEach((o, i) => {
    if (o instanceof Error) throw o;
    const ref = tf2Reference(inputs[i]!);
    const p = Array.from(o.tensors![0]!.data as Float32Array);
    expect(o.tensors![0]!.name).toBe('dense_1');
    expect(p).toHaveLength(3);
    p.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - ref[j]!))));
    expect(o.value).toBe(ref.indexOf(Math.max(...ref)));
  });
  expect(maxDiff).toBeLessThan(1e-5);
  return maxDiff;
}

async function buildError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServingError);
  expect((err as ServingError).code).toBe(Code.INVALID_ARGUMENT);
  return (err as ServingError).message;
}

describe('TF2 SavedModel (StatefulPartitionedCall into the function library, resource variables)', () => {
  it('inlines the nested calls, binds the variables and freezes them: no calls or variable ops are left', () => {
    const spec = savedModelSpec(tf2SavedModelFiles());
    const ops = new Set(spec.nodes.map((n) => n.op));
    for (const op of ['StatefulPartitionedCall', 'VarHandleOp', 'ReadVariableOp', 'AssignVariableOp', 'NoOp'])
      expect(ops.has(op)).toBe(false);
    expect(spec.inputs).toEqual([
      { key: 'dense_input', tensor: 'serving_default_dense_input:0', width: TF2_IN },
    ]);
    expect(spec.outputs).toEqual([{ key: 'dense_1', tensor: 'StatefulPartitionedCall/Identity' }]);
    // the restore function's graph is pruned away with its call
    expect(spec.nodes.some((n) => n.name.startsWith('StatefulPartitionedCall_1'))).toBe(false);
  });

  it.each(['auto', 'tfjs-cpu'] as const)(
    'runs (%s) and matches a plain-JS forward pass within 1e-5',
    async (runtime) => {
      const m = await factory.build(tar(), { runtime });
      expect(m.runtime).toBe(runtime === 'auto' ? 'fast-path' : 'tfjs-cpu');
      expectReference(m.scoreBatch(records));
      expectReference(records.map((r) => m.score(r)));
      await m.cleanup();
    },
  );

  it('finds variables by object path when the bundle has no TrackableObjectGraph, and by the checkpoint graph for any key', async () => {
    expectReference((await factory.build(tar({ withoutCheckpointGraph: true }))).scoreBatch(records));
    expectReference((await factory.build(tar({ customKeys: true }))).scoreBatch(records));
  });

  it('is served from features too, and restores from toBytes', async () => {
    const m = await factory.build(tar(), { inputs: 'a,b,c,d' });
    const out = m.scoreBatch(
      inputs.map((x) => ({ dataType: 't', features: { a: x[0]!, b: x[1]!, c: x[2]!, d: x[3]! } })),
    );
    expectReference(out);
    const back = await factory.restore(m.toBytes(), {
      key: 'k',
      name: 'n',
      description: '',
      dataType: 't',
      modelType: factory.type,
      metadata: {},
    });
    expectReference(records.map((r) => back.score(r)));
  });

  it('errors name what is wrong: a missing function, an op nobody implements, a missing variable', async () => {
    expect(await buildError(factory.build(tar({ withoutModelFunction: true })))).toMatch(
      /node 'StatefulPartitionedCall\/StatefulPartitionedCall' \(StatefulPartitionedCall\) calls function '__inference_sequential_\w+', which is not in the graph's function library/,
    );
    expect(await buildError(factory.build(tar({ activation: 'MyCustomSoftmax' })))).toMatch(
      /unsupported op MyCustomSoftmax \(node 'StatefulPartitionedCall\/StatefulPartitionedCall\/dense_1\/Softmax'\)/,
    );
    const files = tf2SavedModelFiles({ customKeys: true, withoutCheckpointGraph: true });
    expect(await buildError(factory.build(writeTar(files)))).toMatch(
      /no value for variable node 'dense\/kernel' \(VarHandleOp\) in variables.index \(tried 'layer_with_weights-0\/kernel\/.ATTRIBUTES\/VARIABLE_VALUE', 'dense\/kernel'\)/,
    );
  });

  it('an OIP batch tensor [n, 4] in one record gives [n, 3] outputs and a value per row, next to single-row records', async () => {
    const m = await factory.build(tar(), { labels: 'low,mid,high' });
    const batch: DataToServe = {
      dataType: 't',
      features: {},
      tensors: [
        {
          name: 'dense_input',
          datatype: 'FP64',
          shape: [inputs.length, TF2_IN],
          data: Float64Array.from(inputs.flat()),
        },
      ],
    };
    const bad: DataToServe = {
      dataType: 't',
      features: {},
      tensors: [{ name: 'dense_input', datatype: 'FP32', shape: [2, 3], data: new Float32Array(6) }],
    };
    const outs = m.scoreBatch([records[1]!, batch, bad]);
    expect(outs).toHaveLength(3);
    const [one, all, err] = outs;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('takes rows of 4 values');
    const refs = inputs.map(tf2Reference);
    const labelOf = (r: number[]) => ['low', 'mid', 'high'][r.indexOf(Math.max(...r))];
    expect((one as ScoreOutput).value).toBe(labelOf(refs[1]!));
    const o = all as ScoreOutput;
    expect(o.tensors![0]!.shape).toEqual([inputs.length, 3]);
    expectNear(o.tensors![0]!.data as Float32Array, refs.flat(), 1e-5);
    expect(o.tensors![1]).toEqual({
      name: 'value',
      datatype: 'BYTES',
      shape: [inputs.length],
      data: refs.map(labelOf),
    });
    expect(o.value).toBe(labelOf(refs[0]!));
  });

  it('signature: serving_default by default, the init op is never a serving signature, an unknown name lists the real ones', async () => {
    expect(await buildError(factory.build(tar(), { signature: 'predict' }))).toBe(
      "SavedModel: no signature 'predict' (available: 'serving_default')",
    );
    // the only serving signature is the default even when it has another name (the init op does not count)
    const only = await factory.build(tar({ signatureName: 'predict' }));
    expectReference(only.scoreBatch(records));
    expectReference(
      (await factory.build(tar({ signatureName: 'predict' }), { signature: 'predict' })).scoreBatch(records),
    );
    expect(
      await buildError(
        factory.build(tar({ signatureName: 'predict' }), { signature: '__saved_model_init_op' }),
      ),
    ).toBe(
      "SavedModel: '__saved_model_init_op' is the model's initialiser, not a serving signature (available: 'predict')",
    );
  });

  it('a resource-variable Embedding (Cast → ResourceGather) freezes to GatherV2 and runs on tfjs', async () => {
    const table = [0.1, 0.2, 0.3, 1, 2, 3, -1, -2, -3, 7, 8, 9]; // [4, 3]
    const I: AttrValue = { type: DType.DT_INT32 };
    const F: AttrValue = { type: DType.DT_FLOAT };
    const graph = encodeGraphDef({
      node: [
        {
          name: 'ids',
          op: 'Placeholder',
          input: [],
          attr: { dtype: F, shape: { shape: { dims: [-1, 2] } } },
        },
        {
          name: 'embedding/embeddings',
          op: 'VarHandleOp',
          input: [],
          attr: { dtype: F, shape: { shape: { dims: [4, 3] } }, shared_name: { s: 'embedding/embeddings' } },
        },
        { name: 'cast', op: 'Cast', input: ['ids'], attr: { SrcT: F, DstT: I, Truncate: { b: false } } },
        {
          name: 'gather',
          op: 'ResourceGather',
          input: ['embedding/embeddings', 'cast'],
          attr: { dtype: F, Tindices: I, batch_dims: { i: 0 }, validate_indices: { b: true } },
        },
        {
          name: 'shape',
          op: 'Const',
          input: [],
          attr: {
            dtype: I,
            value: { tensor: { dtype: DType.DT_INT32, shape: [2], data: Int32Array.of(-1, 6) } },
          },
        },
        { name: 'flat', op: 'Reshape', input: ['gather', 'shape'], attr: { T: F, Tshape: I } },
      ],
    });
    const pb = savedModelBytes({
      graph,
      signatureName: 'serving_default',
      inputs: { ids: ['ids:0', [-1, 2]] },
      outputs: { flat: ['flat:0', [-1, 6]] },
    });
    const files = new Map([
      ['saved_model.pb', pb],
      ...writeBundle(new Map([['embedding/embeddings', { shape: [4, 3], data: table }]])),
    ]);
    const m = await factory.build(writeTar(files), { postprocess: 'none' });
    expect(m.runtime).toBe('tfjs-cpu');
    const o = m.score({
      dataType: 't',
      features: {},
      tensors: [{ name: 'ids', datatype: 'FP32', shape: [1, 2], data: Float32Array.of(3, 1) }],
    });
    expectNear(o.tensors![0]!.data as Float32Array, [7, 8, 9, 1, 2, 3], 1e-6);
  });
});
