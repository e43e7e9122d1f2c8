import { describe, expect, it } from 'vitest';
import { PfaEngine } from './compiler/engine';

const engine = (doc: object) => PfaEngine.fromDocument(JSON.stringify(doc));

describe('model.reg.linear', () => {
  it('scores scalar and vector outputs from a cell model', () => {
    const doc = {
      input: { type: 'array', items: 'double' },
      output: 'double',
      cells: {
        model: {
          type: {
            type: 'record',
            name: 'Model',
            fields: [
              { name: 'coeff', type: { type: 'array', items: 'double' } },
              { name: 'const', type: 'double' },
            ],
          },
          init: { coeff: [1, 2, 3], const: 10 },
        },
      },
      action: { 'model.reg.linear': ['input', { cell: 'model' }] },
    };
    expect(engine(doc).action([1, 1, 1])).toBe(16);
    expect(() => engine(doc).action([1])).toThrow(expect.objectContaining({ code: 31000 }));
    const multi = {
      ...doc,
      output: { type: 'array', items: 'double' },
      cells: {
        model: {
          type: {
            type: 'record',
            name: 'Model',
            fields: [
              { name: 'coeff', type: { type: 'array', items: { type: 'array', items: 'double' } } },
              { name: 'const', type: { type: 'array', items: 'double' } },
            ],
          },
          init: {
            coeff: [
              [1, 0],
              [0, 1],
            ],
            const: [0.5, -0.5],
          },
        },
      },
    };
    expect(engine(multi).action([2, 3])).toEqual([2.5, 2.5]);
  });

  it('rejects a model record without coeff/const at build time', () => {
    const doc = {
      input: { type: 'array', items: 'double' },
      output: 'double',
      cells: {
        model: {
          type: { type: 'record', name: 'M', fields: [{ name: 'w', type: 'double' }] },
          init: { w: 1 },
        },
      },
      action: { 'model.reg.linear': ['input', { cell: 'model' }] },
    };
    expect(() => engine(doc)).toThrow(/coeff/);
  });
});

describe('model.tree.simpleTree', () => {
  it('walks a classification tree', () => {
    const doc = {
      input: {
        type: 'record',
        name: 'Datum',
        fields: [
          { name: 'x', type: 'double' },
          { name: 'color', type: 'string' },
        ],
      },
      output: 'string',
      cells: {
        tree: {
          type: {
            type: 'record',
            name: 'TreeNode',
            fields: [
              { name: 'field', type: { type: 'enum', name: 'Fields', symbols: ['x', 'color'] } },
              { name: 'operator', type: 'string' },
              { name: 'value', type: ['double', 'string'] },
              { name: 'pass', type: ['string', 'TreeNode'] },
              { name: 'fail', type: ['string', 'TreeNode'] },
            ],
          },
          init: {
            field: 'x',
            operator: '<',
            value: { double: 5 },
            pass: { string: 'small' },
            fail: {
              TreeNode: {
                field: 'color',
                operator: '==',
                value: { string: 'red' },
                pass: { string: 'big-red' },
                fail: { string: 'big' },
              },
            },
          },
        },
      },
      action: { 'model.tree.simpleTree': ['input', { cell: 'tree' }] },
    };
    const e = engine(doc);
    expect(e.actionJson({ x: 1, color: 'red' })).toBe('small');
    expect(e.actionJson({ x: 9, color: 'red' })).toBe('big-red');
    expect(e.actionJson({ x: 9, color: 'blue' })).toBe('big');
  });
});

describe('model.cluster.closest', () => {
  it('finds the nearest center, with the default and a custom metric', () => {
    const C = {
      type: 'record',
      name: 'Cluster',
      fields: [
        { name: 'center', type: { type: 'array', items: 'double' } },
        { name: 'id', type: 'string' },
      ],
    };
    const cells = {
      clusters: {
        type: { type: 'array', items: C },
        init: [
          { center: [0, 0], id: 'origin' },
          { center: [10, 10], id: 'far' },
        ],
      },
    };
    const doc = {
      input: { type: 'array', items: 'double' },
      output: 'string',
      cells,
      action: { attr: { 'model.cluster.closest': ['input', { cell: 'clusters' }] }, path: [['id']] },
    };
    expect(engine(doc).actionJson([1, 2])).toBe('origin');
    expect(engine(doc).actionJson([8, 9])).toBe('far');
    const custom = {
      ...doc,
      action: {
        attr: {
          'model.cluster.closest': [
            'input',
            { cell: 'clusters' },
            {
              params: [{ a: { type: 'array', items: 'double' } }, { b: { type: 'array', items: 'double' } }],
              ret: 'double',
              do: { 'u-': [{ 'a.sum': ['b'] }] },
            },
          ],
        },
        path: [['id']],
      },
    };
    expect(engine(custom).actionJson([0, 0])).toBe('far');
  });
});

describe('model.neighbor, model.naive, model.neural, model.svm', () => {
  const D = 'double';
  const VEC = { type: 'array', items: D };
  const MAT = { type: 'array', items: VEC };
  const run = (input: unknown, output: unknown, action: unknown, value: unknown, extra: object = {}) =>
    engine({ input, output, action, ...extra }).action(value as never);

  it('neighbor: mean, nearest k and the ball of radius r', () => {
    expect(
      run(MAT, VEC, { 'model.neighbor.mean': ['input'] }, [
        [0, 0],
        [2, 4],
      ]),
    ).toEqual([1, 2]);
    expect(() => run(MAT, VEC, { 'model.neighbor.mean': ['input'] }, [])).toThrow(
      expect.objectContaining({ code: 30000 }),
    );
    expect(() => run(MAT, VEC, { 'model.neighbor.mean': ['input'] }, [[0], [1, 2]])).toThrow(
      expect.objectContaining({ code: 30001 }),
    );
    const book = {
      cells: {
        book: {
          type: MAT,
          init: [
            [0, 0],
            [5, 5],
            [1, 1],
            [9, 9],
          ],
        },
      },
    };
    expect(
      run(VEC, MAT, { 'model.neighbor.nearestK': [2, 'input', { cell: 'book' }] }, [0.9, 0.9], book),
    ).toEqual([
      [1, 1],
      [0, 0],
    ]);
    expect(() =>
      run(VEC, MAT, { 'model.neighbor.nearestK': [-1, 'input', { cell: 'book' }] }, [0, 0], book),
    ).toThrow(expect.objectContaining({ code: 30010 }));
    expect(() =>
      run(VEC, MAT, { 'model.neighbor.nearestK': [1, 'input', { cell: 'book' }] }, [0], book),
    ).toThrow(expect.objectContaining({ code: 30011 }));
    expect(run(VEC, MAT, { 'model.neighbor.ballR': [2, 'input', { cell: 'book' }] }, [0, 0], book)).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('naive Bayes: gaussian, multinomial and bernoulli log-likelihoods', () => {
    const G = {
      type: 'array',
      items: {
        type: 'record',
        name: 'G',
        fields: [
          { name: 'mean', type: D },
          { name: 'variance', type: D },
        ],
      },
    };
    const gauss = {
      cells: {
        c: {
          type: G,
          init: [
            { mean: 0, variance: 1 },
            { mean: 1, variance: 4 },
          ],
        },
      },
    };
    const want = -0.5 * Math.log(2 * Math.PI) - 0.5 * Math.log(2 * Math.PI * 4) - 1 / 8;
    expect(run(VEC, D, { 'model.naive.gaussian': ['input', { cell: 'c' }] }, [0, 2], gauss)).toBeCloseTo(
      want,
      12,
    );
    expect(() => run(VEC, D, { 'model.naive.gaussian': ['input', { cell: 'c' }] }, [0], gauss)).toThrow(
      expect.objectContaining({ code: 10000 }),
    );
    const multi = { cells: { c: { type: VEC, init: [1, 3] } } };
    expect(run(VEC, D, { 'model.naive.multinomial': ['input', { cell: 'c' }] }, [2, 1], multi)).toBeCloseTo(
      2 * Math.log(0.25) + Math.log(0.75),
      12,
    );
    const bad = { cells: { c: { type: VEC, init: [1, 0] } } };
    expect(() => run(VEC, D, { 'model.naive.multinomial': ['input', { cell: 'c' }] }, [2, 1], bad)).toThrow(
      expect.objectContaining({ code: 10011 }),
    );
    const bern = { cells: { c: { type: { type: 'map', values: D }, init: { a: 0.9, b: 0.2 } } } };
    expect(
      run(
        { type: 'array', items: 'string' },
        D,
        { 'model.naive.bernoulli': ['input', { cell: 'c' }] },
        ['a'],
        bern,
      ),
    ).toBeCloseTo(Math.log(0.9) + Math.log(0.8), 12);
  });

  it('neural.simpleLayers applies the activation to every layer but the last', () => {
    const L = {
      type: 'array',
      items: {
        type: 'record',
        name: 'Layer',
        fields: [
          { name: 'weights', type: MAT },
          { name: 'bias', type: VEC },
        ],
      },
    };
    const net = {
      cells: {
        net: {
          type: L,
          init: [
            {
              weights: [
                [1, -1],
                [2, 0],
              ],
              bias: [0, -5],
            },
            { weights: [[1, 1]], bias: [0.5] },
          ],
        },
      },
    };
    const relu = { params: [{ x: D }], ret: D, do: { if: { '>': ['x', 0] }, then: 'x', else: 0 } };
    // Layer 1: [3-1, 6-5] = [2, 1] → relu → [2, 1]; layer 2: 2 + 1 + 0.5.
    expect(
      run(VEC, VEC, { 'model.neural.simpleLayers': ['input', { cell: 'net' }, relu] }, [3, 1], net),
    ).toEqual([3.5]);
    expect(() =>
      run(VEC, VEC, { 'model.neural.simpleLayers': ['input', { cell: 'net' }, relu] }, [3], net),
    ).toThrow(expect.objectContaining({ code: 11001 }));
  });

  it('svm.score sums kernel terms over both classes plus the constant', () => {
    const SV = (name: string) => ({
      type: 'array',
      items: {
        type: 'record',
        name,
        fields: [
          { name: 'supVec', type: VEC },
          { name: 'coeff', type: D },
        ],
      },
    });
    const M = {
      type: 'record',
      name: 'Svm',
      fields: [
        { name: 'const', type: D },
        { name: 'posClass', type: SV('Pos') },
        { name: 'negClass', type: SV('Neg') },
      ],
    };
    const svm = {
      cells: {
        m: {
          type: M,
          init: {
            const: -1,
            posClass: [{ supVec: [1, 0], coeff: 2 }],
            negClass: [{ supVec: [0, 1], coeff: -1 }],
          },
        },
      },
    };
    const linear = {
      params: [{ a: VEC }, { b: VEC }],
      ret: D,
      do: {
        '+': [
          {
            '*': [
              { attr: 'a', path: [0] },
              { attr: 'b', path: [0] },
            ],
          },
          {
            '*': [
              { attr: 'a', path: [1] },
              { attr: 'b', path: [1] },
            ],
          },
        ],
      },
    };
    expect(run(VEC, D, { 'model.svm.score': ['input', { cell: 'm' }, linear] }, [3, 4], svm)).toBe(
      2 * 3 - 4 - 1,
    );
    expect(() => run(VEC, D, { 'model.svm.score': ['input', { cell: 'm' }, linear] }, [3], svm)).toThrow(
      expect.objectContaining({ code: 12001 }),
    );
  });
});
