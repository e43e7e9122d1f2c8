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
          type: { type: 'record', name: 'Model', fields: [{ name: 'coeff', type: { type: 'array', items: 'double' } }, { name: 'const', type: 'double' }] },
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
          init: { coeff: [[1, 0], [0, 1]], const: [0.5, -0.5] },
        },
      },
    };
    expect(engine(multi).action([2, 3])).toEqual([2.5, 2.5]);
  });

  it('rejects a model record without coeff/const at build time', () => {
    const doc = {
      input: { type: 'array', items: 'double' },
      output: 'double',
      cells: { model: { type: { type: 'record', name: 'M', fields: [{ name: 'w', type: 'double' }] }, init: { w: 1 } } },
      action: { 'model.reg.linear': ['input', { cell: 'model' }] },
    };
    expect(() => engine(doc)).toThrow(/coeff/);
  });
});

describe('model.tree.simpleTree', () => {
  it('walks a classification tree', () => {
    const doc = {
      input: { type: 'record', name: 'Datum', fields: [{ name: 'x', type: 'double' }, { name: 'color', type: 'string' }] },
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
            fail: { TreeNode: { field: 'color', operator: '==', value: { string: 'red' }, pass: { string: 'big-red' }, fail: { string: 'big' } } },
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
    const C = { type: 'record', name: 'Cluster', fields: [{ name: 'center', type: { type: 'array', items: 'double' } }, { name: 'id', type: 'string' }] };
    const cells = { clusters: { type: { type: 'array', items: C }, init: [{ center: [0, 0], id: 'origin' }, { center: [10, 10], id: 'far' }] } };
    const doc = { input: { type: 'array', items: 'double' }, output: 'string', cells, action: { attr: { 'model.cluster.closest': ['input', { cell: 'clusters' }] }, path: [['id']] } };
    expect(engine(doc).actionJson([1, 2])).toBe('origin');
    expect(engine(doc).actionJson([8, 9])).toBe('far');
    const custom = {
      ...doc,
      action: {
        attr: {
          'model.cluster.closest': [
            'input',
            { cell: 'clusters' },
            { params: [{ a: { type: 'array', items: 'double' } }, { b: { type: 'array', items: 'double' } }], ret: 'double', do: { 'u-': [{ 'a.sum': ['b'] }] } },
          ],
        },
        path: [['id']],
      },
    };
    expect(engine(custom).actionJson([0, 0])).toBe('far');
  });
});
