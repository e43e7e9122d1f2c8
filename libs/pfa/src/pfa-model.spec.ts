import { Code, ModelType, ServingError } from '@modelserving/model-core';
import { describe, expect, it } from 'vitest';
import { PfaModelFactory } from './pfa-model';

const factory = new PfaModelFactory({ budget: 10_000 });
const build = (doc: object | string) =>
  factory.build(new TextEncoder().encode(typeof doc === 'string' ? doc : JSON.stringify(doc)));

describe('PfaModelFactory', () => {
  it('maps named features onto a record input and record outputs onto outputs', () => {
    const m = build({
      input: {
        type: 'record',
        name: 'In',
        fields: [
          { name: 'a', type: 'double' },
          { name: 'b_c', type: ['null', 'double'] },
        ],
      },
      output: {
        type: 'record',
        name: 'Out',
        fields: [
          { name: 'sum', type: 'double' },
          { name: 'label', type: 'string' },
        ],
      },
      action: {
        new: {
          sum: { '+': ['input.a', { 'impute.defaultOnNull': ['input.b_c', 0.0] }] },
          label: { if: { '>': ['input.a', 1] }, then: { string: 'high' }, else: { string: 'low' } },
        },
        type: 'Out',
      },
    });
    expect(m.type).toBe(ModelType.PFA);
    expect(m.score({ dataType: 't', features: { a: 2, 'b c': 3 } })).toEqual({
      value: 5,
      outputs: { sum: 5, label: 'high' },
    });
    expect(m.score({ dataType: 't', features: { a: 0.5, 'b c': null } }).outputs).toEqual({
      sum: 0.5,
      label: 'low',
    });
    expect(m.signature().inputs.map((i) => i.name)).toEqual(['a', 'b_c']);
    // A record output has no single prediction: no target.
    expect(m.signature().target).toBeUndefined();
  });

  it('maps record fields from exact names, Avro-safe aliases, one-value tensors and defaults (precompiled)', () => {
    const m = build({
      input: {
        type: 'record',
        name: 'In',
        fields: [
          { name: 'fixed_acidity', type: 'double' },
          { name: 'n', type: 'int', default: 7 },
          { name: 's', type: 'string' },
        ],
      },
      output: 'double',
      action: { '+': [{ '+': ['input.fixed_acidity', 'input.n'] }, { '*': [100, { 's.len': 'input.s' }] }] },
    });
    const f = (features: Record<string, number | string>, tensors?: unknown[]) =>
      m.score({ dataType: 't', features, ...(tensors ? { tensors } : {}) } as never).value;
    expect(f({ 'fixed acidity': 1.5, s: 'x' })).toBe(108.5);
    expect(f({ fixed_acidity: 2.5, n: 1, s: 'yy' })).toBe(203.5);
    expect(f({ 'fixed acidity': 0.5, s: 'z' })).toBe(107.5);
    expect(
      f({ s: 'w' }, [{ name: 'fixed acidity', datatype: 'FP64', shape: [1], data: new Float64Array([1]) }]),
    ).toBe(108);
    expect(() => f({ 'fixed acidity': 'no', s: 'x' })).toThrow(/fixed_acidity/);
  });

  it('takes the single feature or tensor for a primitive input', () => {
    const m = build('input: double\noutput: double\naction: {"*": [input, 2]}\n');
    expect(m.score({ dataType: 't', features: { x: 4 } }).value).toBe(8);
    // The scalar output is the prediction; `modelserving score` reads its column through the target.
    expect(m.signature()).toMatchObject({ outputs: [{ name: 'value' }], target: 'value' });
    expect(
      m.score({
        dataType: 't',
        features: {},
        tensors: [{ name: 'x', datatype: 'FP64', shape: [1], data: new Float64Array([1.5]) }],
      }).value,
    ).toBe(3);
  });

  it('reports bad documents and bad records as INVALID_ARGUMENT, runaway loops as RESOURCE_EXHAUSTED', () => {
    expect(() => build({ input: 'int', output: 'string', action: 'input' })).toThrow(ServingError);
    const m = build({ input: 'int', output: 'int', action: [{ while: true, do: { let: { x: 1 } } }, 1] });
    try {
      m.score({ dataType: 't', features: { x: 1 } });
      expect.unreachable();
    } catch (err) {
      expect((err as ServingError).code).toBe(Code.RESOURCE_EXHAUSTED);
    }
    const n = build({ input: 'int', output: 'int', action: 'input' });
    expect(() => n.score({ dataType: 't', features: { x: 'text' } })).toThrow(/does not fit/);
    expect(() => factory.build(new Uint8Array())).toThrow(/empty/);
  });
});
