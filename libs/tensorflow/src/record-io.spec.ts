import { describe, expect, it } from 'vitest';
import { Code, ServingError, type ScoreOutput } from '@modelserving/model-core';
import { constF, graphBytes, op, placeholder } from './__fixtures__/graphs';
import { TensorflowModelFactory } from './frozen-graph-factory';

/**
 * Where an input's record fields come from: the descriptor's metadata `inputs` / `inputs.<key>`, or the
 * signature key of a one-value input, never the input's width.
 */
const factory = new TensorflowModelFactory();

/** y = x · [1, 10] : a two-wide input with no field names in the graph. */
const twoWide = () =>
  graphBytes([
    placeholder('x', [-1, 2]),
    constF('w', [2, 1], [1, 10]),
    op('y', 'MatMul', ['x', 'w'], { transpose_a: { b: false }, transpose_b: { b: false } }),
  ]);

const fail = (r: ScoreOutput | Error): ServingError => {
  expect(r).toBeInstanceOf(ServingError);
  return r as ServingError;
};

describe('TensorFlow record inputs', () => {
  it('reads each one-value input from the feature its signature key names', async () => {
    const m = await factory.build(
      graphBytes([
        placeholder('age', [-1, 1]),
        placeholder('income', [-1, 1]),
        op('sum', 'AddV2', ['age', 'income']),
      ]),
      {},
    );
    expect(m.score({ dataType: 't', features: { age: 2, income: 40 } }).value as number).toBe(42);
    expect(m.signature().inputs.map((i) => i.name)).toEqual(['age', 'income']);
  });

  it('maps named features by metadata inputs, in column order', async () => {
    const m = await factory.build(twoWide(), { inputs: 'b, a' });
    expect(m.score({ dataType: 't', features: { a: 1, b: 2 } }).value).toBe(2 + 10 * 1);
  });

  it('without names, fails a record of named features with INVALID_ARGUMENT naming the metadata; uses a tensor as is', async () => {
    const m = await factory.build(twoWide(), {});
    const [named, tensor] = m.scoreBatch([
      { dataType: 't', features: { a: 1, b: 2 } },
      {
        dataType: 't',
        features: {},
        tensors: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: Float32Array.from([1, 2]) }],
      },
    ]);
    const err = fail(named!);
    expect(err.code).toBe(Code.INVALID_ARGUMENT);
    expect(err.message).toBe(
      "input 'x' (2 values) has no feature names: deploy the model with metadata 'inputs' (or 'inputs.x') " +
        "listing its 2 feature names, comma-separated in column order, or send a tensor named 'x'",
    );
    expect((tensor as ScoreOutput).value).toBe(21);
  });

  it('names fields, never record content, and bounds what it repeats', async () => {
    const m = await factory.build(twoWide(), { inputs: 'a,b' });
    const secret = 'SECRET-VALUE';
    const longName = 'n'.repeat(5000);
    const [bad, shape] = m.scoreBatch([
      { dataType: 't', features: { a: secret, b: 1 } },
      {
        dataType: 't',
        features: {},
        tensors: [
          {
            name: longName,
            datatype: 'FP32',
            shape: Array<number>(100).fill(1),
            data: Float32Array.from([1]),
          },
        ],
      },
    ]);
    expect(fail(bad!).message).toBe("field 'a' is not a number");
    const msg = fail(shape!).message;
    expect(msg).not.toContain(longName.slice(0, 100));
    expect(msg.length).toBeLessThan(200);
  });
});
