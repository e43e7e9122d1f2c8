import { DType } from '../graph/dtype';
import type { FunctionDef } from '../graph/function-def';
import { encodeGraphDef, type AttrValue, type NodeDef } from '../graph/graph-def';
import { encodeTensorShape } from '../graph/tensor-value';
import { ProtoWriter } from '../proto/proto-writer';
import { writeBundle, type BundleValue } from './bundle-writer';

/**
 * A TF2 SavedModel as Keras writes it for `Sequential([Dense(5, relu), Dense(3, softmax)])` on 4 inputs,
 * built with the library's own encoders: a serving signature whose output is a StatefulPartitionedCall
 * into `__inference_signature_wrapper`, which calls the model function, which reads the four resource
 * variables with ReadVariableOp. Variables live in a bundle keyed by object path, with the
 * TrackableObjectGraph under `_CHECKPOINTABLE_OBJECT_GRAPH`; a restore function with AssignVariableOp
 * hangs off the main graph as in real exports and must be pruned away.
 */
export const TF2_IN = 4;
export const TF2_HIDDEN = 5;
export const TF2_OUT = 3;
const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => Math.fround(f(i)));
export const TF2_W1 = seq(TF2_IN * TF2_HIDDEN, (i) => Math.sin(i + 1) * 0.8);
export const TF2_B1 = seq(TF2_HIDDEN, (i) => 0.1 * (i - 2));
export const TF2_W2 = seq(TF2_HIDDEN * TF2_OUT, (i) => Math.cos(i * 1.3) * 0.9);
export const TF2_B2 = seq(TF2_OUT, (i) => 0.05 * (1 - i));

/** The plain-JS forward pass of the model above: softmax(relu(x·W1 + b1)·W2 + b2). */
export function tf2Reference(x: readonly number[]): number[] {
  const h = seq(TF2_HIDDEN, (j) =>
    Math.max(
      0,
      x.reduce((s, v, i) => s + v * TF2_W1[i * TF2_HIDDEN + j]!, TF2_B1[j]!),
    ),
  );
  const z = seq(TF2_OUT, (j) => h.reduce((s, v, i) => s + v * TF2_W2[i * TF2_OUT + j]!, TF2_B2[j]!));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

const F: AttrValue = { type: DType.DT_FLOAT };
const R = DType.DT_RESOURCE;
const types = (...t: number[]): AttrValue => ({ list: { s: [], i: [], f: [], b: [], type: t, shape: [] } });
const node = (name: string, op: string, input: string[], attr: Record<string, AttrValue> = {}): NodeDef => ({
  name,
  op,
  input,
  attr,
});
const call = (name: string, f: string, input: string[], tin: number[], tout: number[]): NodeDef =>
  node(name, 'StatefulPartitionedCall', input, { f: { func: f }, Tin: types(...tin), Tout: types(...tout) });

const VARS = [
  { name: 'dense/kernel', shape: [TF2_IN, TF2_HIDDEN], data: TF2_W1, path: 'layer_with_weights-0/kernel' },
  { name: 'dense/bias', shape: [TF2_HIDDEN], data: TF2_B1, path: 'layer_with_weights-0/bias' },
  { name: 'dense_1/kernel', shape: [TF2_HIDDEN, TF2_OUT], data: TF2_W2, path: 'layer_with_weights-1/kernel' },
  { name: 'dense_1/bias', shape: [TF2_OUT], data: TF2_B2, path: 'layer_with_weights-1/bias' },
] as const;

export interface Tf2Options {
  /** Op of the output activation (to test unsupported ops); default Softmax. */
  readonly activation?: string;
  /** Leave the TrackableObjectGraph out of the bundle (keys then come from the object tree's paths). */
  readonly withoutCheckpointGraph?: boolean;
  /** Checkpoint keys other than the object paths (only the TrackableObjectGraph can then find them). */
  readonly customKeys?: boolean;
  /** The serving signature's name (default serving_default). */
  readonly signatureName?: string;
  /** Drop the model function from the library. */
  readonly withoutModelFunction?: boolean;
}

function modelFunction(activation: string): FunctionDef {
  const res = [
    'dense_matmul_readvariableop_resource',
    'dense_biasadd_readvariableop_resource',
    'dense_1_matmul_readvariableop_resource',
    'dense_1_biasadd_readvariableop_resource',
  ];
  const read = (name: string, arg: string) => node(name, 'ReadVariableOp', [arg], { dtype: F });
  return {
    name: '__inference_sequential_layer_call_and_return_conditional_losses_90',
    inputArgs: [{ name: 'inputs', type: DType.DT_FLOAT }, ...res.map((name) => ({ name, type: R }))],
    outputArgs: [{ name: 'identity', type: DType.DT_FLOAT }],
    nodes: [
      read('dense/MatMul/ReadVariableOp', res[0]!),
      node('dense/MatMul', 'MatMul', ['inputs', 'dense/MatMul/ReadVariableOp:value:0'], {
        T: F,
        transpose_a: { b: false },
        transpose_b: { b: false },
      }),
      read('dense/BiasAdd/ReadVariableOp', res[1]!),
      node('dense/BiasAdd', 'BiasAdd', ['dense/MatMul:product:0', 'dense/BiasAdd/ReadVariableOp:value:0'], {
        T: F,
        data_format: { s: 'NHWC' },
      }),
      node('dense/Relu', 'Relu', ['dense/BiasAdd:output:0'], { T: F }),
      read('dense_1/MatMul/ReadVariableOp', res[2]!),
      node(
        'dense_1/MatMul',
        'MatMul',
        ['dense/Relu:activations:0', 'dense_1/MatMul/ReadVariableOp:value:0'],
        { T: F, transpose_a: { b: false }, transpose_b: { b: false } },
      ),
      read('dense_1/BiasAdd/ReadVariableOp', res[3]!),
      node(
        'dense_1/BiasAdd',
        'BiasAdd',
        ['dense_1/MatMul:product:0', 'dense_1/BiasAdd/ReadVariableOp:value:0'],
        { T: F, data_format: { s: 'NHWC' } },
      ),
      node('dense_1/Softmax', activation, ['dense_1/BiasAdd:output:0'], { T: F }),
      node('NoOp', 'NoOp', [
        '^dense/BiasAdd/ReadVariableOp',
        '^dense/MatMul/ReadVariableOp',
        '^dense_1/BiasAdd/ReadVariableOp',
        '^dense_1/MatMul/ReadVariableOp',
      ]),
      node('Identity', 'Identity', ['dense_1/Softmax:softmax:0', '^NoOp'], { T: F }),
    ],
    ret: { identity: 'Identity:output:0' },
  };
}

function signatureWrapper(model: string): FunctionDef {
  const args = ['dense_input', 'unknown', 'unknown_0', 'unknown_1', 'unknown_2'];
  return {
    name: '__inference_signature_wrapper_120',
    inputArgs: args.map((name, i) => ({ name, type: i === 0 ? DType.DT_FLOAT : R })),
    outputArgs: [{ name: 'identity', type: DType.DT_FLOAT }],
    nodes: [
      call('StatefulPartitionedCall', model, args, [DType.DT_FLOAT, R, R, R, R], [DType.DT_FLOAT]),
      node('NoOp', 'NoOp', ['^StatefulPartitionedCall']),
      node('Identity', 'Identity', ['StatefulPartitionedCall:output:0', '^NoOp'], { T: F }),
    ],
    ret: { identity: 'Identity:output:0' },
  };
}

/** What a real export also holds: a restore function assigning variables (never on the serving path). */
const restoreFunction: FunctionDef = {
  name: '__inference__traced_restore_200',
  inputArgs: [
    { name: 'file_prefix', type: DType.DT_STRING },
    { name: 'assignvariableop_resource', type: R },
  ],
  outputArgs: [{ name: 'identity_1', type: DType.DT_STRING }],
  nodes: [
    node('Const', 'Const', [], {
      dtype: F,
      value: { tensor: { dtype: DType.DT_FLOAT, shape: [], data: Float32Array.of(0) } },
    }),
    node('AssignVariableOp', 'AssignVariableOp', ['assignvariableop_resource', 'Const:output:0'], {
      dtype: F,
    }),
    node('Identity_1', 'Identity', ['file_prefix', '^AssignVariableOp'], { T: { type: DType.DT_STRING } }),
  ],
  ret: { identity_1: 'Identity_1:output:0' },
};

function objectGraph(): Uint8Array {
  // Node 0: the model; 1, 2: the Dense layers (also reachable as `layer-0`/`layer-1`, listed later, as
  // Keras does); 3..6: the variables.
  const w = new ProtoWriter();
  const ref = (ow: ProtoWriter, id: number, name: string) =>
    ow.message(1, (c) => c.varint(1, id).string(2, name));
  w.message(1, (o) => {
    ref(o, 1, 'layer_with_weights-0');
    ref(o, 2, 'layer_with_weights-1');
    ref(o, 1, 'layer-0');
    ref(o, 2, 'layer-1');
    o.message(4, (u) => u.string(1, '_generic_user_object'));
  });
  for (const layer of [0, 1]) {
    w.message(1, (o) => {
      ref(o, 3 + layer * 2, 'kernel');
      ref(o, 4 + layer * 2, 'bias');
      o.message(4, (u) => u.string(1, '_generic_user_object'));
    });
  }
  for (const v of VARS) {
    w.message(1, (o) =>
      o.message(7, (sv) =>
        sv
          .varint(1, DType.DT_FLOAT)
          .message(2, (s) => encodeTensorShape(s, v.shape))
          .bool(3, true)
          .string(6, v.name),
      ),
    );
  }
  return w.finish();
}

function checkpointObjectGraph(key: (i: number) => string): Uint8Array {
  const w = new ProtoWriter();
  for (let id = 0; id < 3; id++) w.message(1, () => undefined);
  VARS.forEach((v, i) =>
    w.message(1, (o) =>
      o.message(2, (a) => a.string(1, 'VARIABLE_VALUE').string(2, v.name).string(3, key(i))),
    ),
  );
  return w.finish();
}

/** The files of the SavedModel directory (saved_model.pb, variables/…). */
export function tf2SavedModelFiles(options: Tf2Options = {}): Map<string, Uint8Array> {
  const model = modelFunction(options.activation ?? 'Softmax');
  const wrapper = signatureWrapper(model.name);
  const library = new Map<string, FunctionDef>([
    [wrapper.name, wrapper],
    [restoreFunction.name, restoreFunction],
  ]);
  if (!options.withoutModelFunction) library.set(model.name, model);
  const handles = VARS.map((v) =>
    node(v.name, 'VarHandleOp', [], {
      dtype: F,
      shape: { shape: { dims: [...v.shape] } },
      shared_name: { s: v.name },
      container: { s: '' },
    }),
  );
  const nodes: NodeDef[] = [
    node('serving_default_dense_input', 'Placeholder', [], {
      dtype: F,
      shape: { shape: { dims: [-1, TF2_IN] } },
    }),
    ...handles,
    call(
      'StatefulPartitionedCall',
      wrapper.name,
      ['serving_default_dense_input', ...VARS.map((v) => v.name)],
      [DType.DT_FLOAT, R, R, R, R],
      [DType.DT_FLOAT],
    ),
    node('saver_filename', 'Placeholder', [], {
      dtype: { type: DType.DT_STRING },
      shape: { shape: { dims: [] } },
    }),
    call(
      'StatefulPartitionedCall_1',
      restoreFunction.name,
      ['saver_filename', 'dense/kernel'],
      [DType.DT_STRING, R],
      [DType.DT_STRING],
    ),
  ];
  const graph = encodeGraphDef({ node: nodes, versions: { producer: 1286, minConsumer: 12 }, library });

  const savedModel = savedModelBytes({
    graph,
    signatureName: options.signatureName ?? 'serving_default',
    inputs: { dense_input: ['serving_default_dense_input:0', [-1, TF2_IN]] },
    outputs: { dense_1: ['StatefulPartitionedCall:0', [-1, TF2_OUT]] },
    objectGraph: objectGraph(),
  });

  const key = (i: number) => (options.customKeys ? `v${i}` : `${VARS[i]!.path}/.ATTRIBUTES/VARIABLE_VALUE`);
  const values = new Map<string, BundleValue>(VARS.map((v, i) => [key(i), { shape: v.shape, data: v.data }]));
  if (!options.withoutCheckpointGraph)
    values.set('_CHECKPOINTABLE_OBJECT_GRAPH', { bytes: checkpointObjectGraph(key) });
  values.set('save_counter/.ATTRIBUTES/VARIABLE_VALUE', { shape: [], data: [1] });
  return new Map([['saved_model.pb', savedModel], ...writeBundle(values)]);
}

export interface SavedModelParts {
  readonly graph: Uint8Array;
  readonly signatureName: string;
  /** Signature key → [tensor name, shape] (float tensors). */
  readonly inputs: Readonly<Record<string, [string, number[]]>>;
  readonly outputs: Readonly<Record<string, [string, number[]]>>;
  readonly objectGraph?: Uint8Array;
}

/** saved_model.pb: one `serve` meta graph with the signature and TF2's `__saved_model_init_op`. */
export function savedModelBytes(p: SavedModelParts): Uint8Array {
  const tensorInfo = (w: ProtoWriter, [name, dims]: [string, number[]]) =>
    w
      .string(1, name)
      .varint(2, DType.DT_FLOAT)
      .message(3, (s) => encodeTensorShape(s, dims));
  return new ProtoWriter()
    .varint(1, 1)
    .message(2, (m) => {
      m.message(1, (info) => info.string(4, 'serve').string(5, '2.15.0'));
      m.bytes(2, p.graph);
      m.message(5, (e) =>
        e.string(1, p.signatureName).message(2, (sig) => {
          for (const [k, v] of Object.entries(p.inputs))
            sig.message(1, (i) => i.string(1, k).message(2, (t) => tensorInfo(t, v)));
          for (const [k, v] of Object.entries(p.outputs))
            sig.message(2, (o) => o.string(1, k).message(2, (t) => tensorInfo(t, v)));
          sig.string(3, 'tensorflow/serving/predict');
        }),
      );
      m.message(5, (e) =>
        e
          .string(1, '__saved_model_init_op')
          .message(2, (sig) =>
            sig.message(2, (o) =>
              o.string(1, '__saved_model_init_op').message(2, (t) => t.string(1, 'NoOp')),
            ),
          ),
      );
      if (p.objectGraph) m.bytes(7, p.objectGraph);
    })
    .finish();
}
