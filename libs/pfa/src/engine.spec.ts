import { describe, expect, it } from 'vitest';
import { PfaEngine } from './compiler/engine';
import { PfaRuntimeError, PfaSemanticError, PfaTimeoutError, PfaUserError } from './errors';

const engine = (doc: object | string, opts = {}) =>
  PfaEngine.fromDocument(typeof doc === 'string' ? doc : JSON.stringify(doc), opts);
const run = (doc: object, input: unknown) => engine(doc).actionJson(input);

describe('document loading', () => {
  it('loads JSON and YAML documents alike', () => {
    const yaml = `
input: double
output: double
action:
  - {"+": [input, 1]}
`;
    expect(engine(yaml).action(2)).toBe(3);
    expect(engine({ input: 'double', output: 'double', action: [{ '+': ['input', 1] }] }).action(2)).toBe(3);
  });

  it('rejects unknown top-level fields and missing parts', () => {
    expect(() => engine({ input: 'int', output: 'int', action: 'input', bogus: 1 })).toThrow(/bogus/);
    expect(() => engine({ input: 'int', action: 'input' })).toThrow(/output/);
  });

  it('type-checks at build: the action must fit the output type', () => {
    expect(() => engine({ input: 'string', output: 'int', action: 'input' })).toThrow(PfaSemanticError);
    expect(() =>
      engine({ input: 'int', output: 'int', action: { '+': ['input', { string: 'x' }] } }),
    ).toThrow(/no signature/);
  });

  it('keeps 1.0 a double and 1 an int', () => {
    const e = engine(
      '{"input": "int", "output": "double", "action": [{"let": {"x": 0.0}}, {"set": {"x": {"+": ["x", 0.5]}}}, "x"]}',
    );
    expect(e.action(0)).toBe(0.5);
    expect(() =>
      engine('{"input": "int", "output": "double", "action": [{"let": {"x": 0}}, {"set": {"x": 0.5}}, "x"]}'),
    ).toThrow(/cannot set/);
  });

  it('handles records, enums, fixed, maps and unions with named references', () => {
    const doc = {
      input: {
        type: 'record',
        name: 'In',
        fields: [
          { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } },
          { name: 'tag', type: { type: 'fixed', name: 'Tag', size: 2 } },
          { name: 'm', type: { type: 'map', values: 'int' } },
          { name: 'u', type: ['null', 'string'] },
          { name: 'next', type: ['null', 'In'] },
        ],
      },
      output: 'In',
      action: 'input',
    };
    const input = {
      color: 'GREEN',
      tag: 'AAE=',
      m: { a: 1 },
      u: { string: 'x' },
      next: { In: { color: 'RED', tag: 'AAA=', m: {}, u: null, next: null } },
    };
    expect(run(doc, input)).toEqual(input);
  });
});

describe('special forms', () => {
  it('let, set, if, cond, while, do-until, for, foreach, forkey/forval', () => {
    const doc = {
      input: { type: 'array', items: 'int' },
      output: { type: 'array', items: 'int' },
      action: [
        { let: { sum: 0, n: 0, i: 0, keys: 0 } },
        { foreach: 'x', in: 'input', do: { set: { sum: { '+': ['sum', 'x'] } } } },
        { while: { '<': ['n', 3] }, do: { set: { n: { '+': ['n', 1] } } } },
        { do: { set: { i: { '+': ['i', 2] } } }, until: { '>=': ['i', 5] } },
        {
          for: { j: 0 },
          while: { '<': ['j', 4] },
          step: { j: { '+': ['j', 1] } },
          do: { set: { n: { '+': ['n', 'j'] } } },
        },
        {
          forkey: 'k',
          forval: 'v',
          in: { new: { a: 1, b: 2 }, type: { type: 'map', values: 'int' } },
          do: { set: { keys: { '+': ['keys', 'v'] } } },
        },
        {
          let: {
            sign: {
              cond: [
                { if: { '<': ['sum', 0] }, then: -1 },
                { if: { '==': ['sum', 0] }, then: 0 },
              ],
              else: 1,
            },
          },
        },
        {
          new: ['sum', 'n', 'i', 'keys', 'sign', { if: true, then: 7, else: 8 }],
          type: { type: 'array', items: 'int' },
        },
      ],
    };
    expect(run(doc, [1, 2, 3])).toEqual([6, 9, 6, 3, 1, 7]);
  });

  it('attr with paths and updates (copy on write)', () => {
    const R = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'xs', type: { type: 'array', items: 'double' } },
        { name: 'm', type: { type: 'map', values: 'int' } },
      ],
    };
    const doc = {
      input: R,
      output: { type: 'array', items: 'double' },
      action: [
        { let: { r2: { attr: 'input', path: [['xs'], 1], to: 10.5 } } },
        {
          let: {
            r3: {
              attr: 'r2',
              path: [['m'], ['k']],
              to: { params: [{ v: 'int' }], ret: 'int', do: { '*': ['v', 3] } },
            },
          },
        },
        {
          new: ['input.xs.1', { attr: 'r2', path: [['xs'], 1] }, { attr: 'r3', path: [['m'], ['k']] }],
          type: { type: 'array', items: 'double' },
        },
      ],
    };
    expect(run(doc, { xs: [1, 2], m: { k: 4 } })).toEqual([2, 10.5, 12]);
    expect(() =>
      run(
        { ...doc, action: { attr: 'input', path: [['xs'], 5] } as object, output: 'double' },
        { xs: [1], m: {} },
      ),
    ).toThrow(PfaRuntimeError);
  });

  it('cells and pools, with init, across calls', () => {
    const doc = {
      input: 'string',
      output: 'int',
      cells: { count: { type: 'int', init: 0 } },
      pools: { seen: { type: 'int', init: {} } },
      action: [
        { cell: 'count', to: { params: [{ c: 'int' }], ret: 'int', do: { '+': ['c', 1] } } },
        {
          pool: 'seen',
          path: ['input'],
          to: { params: [{ c: 'int' }], ret: 'int', do: { '+': ['c', 1] } },
          init: 0,
        },
        { '+': [{ '*': [{ cell: 'count' }, 100] }, { pool: 'seen', path: ['input'] }] },
      ],
    };
    const e = engine(doc);
    expect(e.action('a')).toBe(101);
    expect(e.action('b')).toBe(201);
    expect(e.action('a')).toBe(302);
    expect(e.cell('count')).toBe(3);
  });

  it('ifnotnull, cast/cases, upcast', () => {
    const doc = {
      input: ['null', 'int', 'string'],
      output: 'string',
      action: {
        cast: 'input',
        cases: [
          { as: 'null', named: 'n', do: { string: 'none' } },
          { as: 'int', named: 'i', do: { 's.int': ['i'] } },
          { as: 'string', named: 's', do: 's' },
        ],
      },
    };
    expect(run(doc, null)).toBe('none');
    expect(run(doc, { int: 42 })).toBe('42');
    expect(run(doc, { string: 'hi' })).toBe('hi');
    const inn = {
      input: ['null', 'double'],
      output: 'double',
      action: { ifnotnull: { x: 'input' }, then: { '+': ['x', 1] }, else: { upcast: 0, as: 'double' } },
    };
    expect(run(inn, { double: 1.5 })).toBe(2.5);
    expect(run(inn, null)).toBe(0);
    expect(() =>
      engine({ ...doc, action: { cast: 'input', cases: [{ as: 'int', named: 'i', do: { string: 'x' } }] } }),
    ).toThrow(/does not cover/);
  });

  it('try, error and log', () => {
    const logs: unknown[] = [];
    const doc = {
      input: 'int',
      output: ['null', 'int'],
      action: [
        { log: ['input', { string: 'seen' }], namespace: 'dbg' },
        { try: { if: { '<': ['input', 0] }, then: { error: 'negative', code: -7 }, else: 'input' } },
      ],
    };
    const e = engine(doc, { log: (v: unknown, ns?: string) => logs.push([v, ns]) });
    expect(e.action(3)).toBe(3);
    expect(e.action(-1)).toBeNull();
    expect(logs).toEqual([
      [[3, 'seen'], 'dbg'],
      [[-1, 'seen'], 'dbg'],
    ]);
    const raw = engine({ input: 'int', output: 'int', action: { error: 'boom', code: 5 } });
    try {
      raw.action(1);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PfaUserError);
      expect((err as PfaUserError).code).toBe(5);
    }
  });

  it('user functions, recursion, fcn references and partial application', () => {
    const doc = {
      input: { type: 'array', items: 'int' },
      output: { type: 'array', items: 'int' },
      fcns: {
        fact: {
          params: [{ n: 'int' }],
          ret: 'int',
          do: { if: { '<=': ['n', 1] }, then: 1, else: { '*': ['n', { 'u.fact': [{ '-': ['n', 1] }] }] } },
        },
        addk: { params: [{ x: 'int' }, { k: 'int' }], ret: 'int', do: { '+': ['x', 'k'] } },
      },
      action: {
        'a.map': [{ 'a.map': ['input', { fcn: 'u.fact' }] }, { fcn: 'u.addk', fill: { k: 100 } }],
      },
    };
    expect(run(doc, [1, 3, 5])).toEqual([101, 106, 220]);
    const lib = {
      input: { type: 'array', items: 'double' },
      output: { type: 'array', items: 'double' },
      action: { 'a.map': ['input', { fcn: 'm.sqrt' }] },
    };
    expect(run(lib, [4, 9])).toEqual([2, 3]);
  });

  it('stops runaway loops with the per-call budget', () => {
    const e = engine(
      { input: 'int', output: 'int', action: [{ while: true, do: { let: { x: 1 } } }, 1] },
      { budget: 1000 },
    );
    expect(() => e.action(0)).toThrow(PfaTimeoutError);
    expect(() => e.action(0)).toThrow(/budget of 1000/);
    const rec = engine(
      {
        input: 'int',
        output: 'int',
        fcns: { f: { params: [{ n: 'int' }], ret: 'int', do: { 'u.f': ['n'] } } },
        action: { 'u.f': ['input'] },
      },
      { budget: 500 },
    );
    expect(() => rec.action(0)).toThrow(PfaTimeoutError);
  });

  it('method emit and fold', () => {
    const emit = engine({
      method: 'emit',
      input: 'int',
      output: 'int',
      action: [{ emit: ['input'] }, { emit: [{ '*': ['input', 2] }] }],
    });
    expect(emit.action(3)).toEqual([3, 6]);
    const fold = engine({
      method: 'fold',
      input: 'int',
      output: 'int',
      zero: 0,
      action: { '+': ['tally', 'input'] },
      merge: { '+': ['tallyOne', 'tallyTwo'] },
    });
    fold.action(2);
    expect(fold.action(5)).toBe(7);
  });

  it('begin and end run with cells', () => {
    const e = engine({
      input: 'int',
      output: 'int',
      cells: { c: { type: 'int', init: 0 } },
      begin: { cell: 'c', to: 10 },
      action: { '+': ['input', { cell: 'c' }] },
      end: { cell: 'c', to: 0 },
    });
    expect(e.action(1)).toBe(11);
    e.end();
    expect(e.cell('c')).toBe(0);
  });
});

describe('core functions', () => {
  it('raises the spec error codes on int overflow and division by zero', () => {
    const add = engine({ input: 'int', output: 'int', action: { '+': ['input', 2147483647] } });
    expect(() => add.action(1)).toThrow(expect.objectContaining({ code: 18000 }));
    const div = engine({ input: 'int', output: 'int', action: { '//': [7, 'input'] } });
    expect(div.action(2)).toBe(3);
    expect(() => div.action(0)).toThrow(expect.objectContaining({ code: 18040 }));
  });

  it('promotes int to double and compares any type', () => {
    expect(engine({ input: 'double', output: 'double', action: { '+': [1, 'input'] } }).action(0.5)).toBe(
      1.5,
    );
    expect(engine({ input: 'string', output: 'int', action: { cmp: ['input', ['m']] } }).action('a')).toBe(
      -1,
    );
    expect(
      engine({
        input: 'int',
        output: ['null', 'boolean'],
        action: { '&&&': [{ '>': ['input', 0] }, null] },
      }).action(-1),
    ).toBe(false);
  });
});
