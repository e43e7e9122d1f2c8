import { describe, expect, it } from 'vitest';
import { PfaEngine } from './compiler/engine';
import { PfaRuntimeError, PfaSemanticError } from './errors';

const engine = (doc: object) => PfaEngine.fromDocument(JSON.stringify(doc));
const run = (doc: object, input: unknown) => engine(doc).actionJson(input);

describe('function references and fill', () => {
  it('passes a library function by name where a function is expected', () => {
    const doc = {
      input: { type: 'array', items: 'double' },
      output: { type: 'array', items: 'double' },
      action: { 'a.map': ['input', { fcn: 'm.round' }] },
    };
    expect(run(doc, [1.4, 2.6])).toEqual([1, 3]);
  });

  it('fills a parameter of a library function (s.concat, first or second)', () => {
    const prefix = {
      input: { type: 'array', items: 'string' },
      output: { type: 'array', items: 'string' },
      action: { 'a.map': ['input', { fcn: 's.concat', fill: { x: { string: 'pre-' } } }] },
    };
    expect(run(prefix, ['a', 'b'])).toEqual(['pre-a', 'pre-b']);
    const suffix = {
      ...prefix,
      action: { 'a.map': ['input', { fcn: 's.concat', fill: { y: { string: '!' } } }] },
    };
    expect(run(suffix, ['a', 'b'])).toEqual(['a!', 'b!']);
  });

  it('fills from a runtime value and picks the overload from the filled types', () => {
    const doc = {
      input: {
        type: 'record',
        name: 'In',
        fields: [
          { name: 'xs', type: { type: 'array', items: 'double' } },
          { name: 'n', type: 'double' },
        ],
      },
      output: { type: 'array', items: 'double' },
      action: { 'a.map': ['input.xs', { fcn: 'm.special.lnBeta', fill: { b: 'input.n' } }] },
    };
    const out = run(doc, { xs: [1.0, 2.0], n: 1.0 }) as number[];
    expect(out[0]).toBeCloseTo(0, 12);
    expect(out[1]).toBeCloseTo(Math.log(0.5), 12);
    const minus = {
      input: { type: 'array', items: 'int' },
      output: { type: 'array', items: 'int' },
      action: { 'a.map': ['input', { fcn: '-', fill: { y: 1 } }] },
    };
    expect(run(minus, [5, 7])).toEqual([4, 6]);
  });

  it('fills user functions', () => {
    const doc = {
      input: { type: 'array', items: 'int' },
      output: { type: 'array', items: 'int' },
      fcns: {
        affine: {
          params: [{ a: 'int' }, { x: 'int' }, { b: 'int' }],
          ret: 'int',
          do: { '+': [{ '*': ['a', 'x'] }, 'b'] },
        },
      },
      action: { 'a.map': ['input', { fcn: 'u.affine', fill: { a: 3, b: 1 } }] },
    };
    expect(run(doc, [1, 2])).toEqual([4, 7]);
  });

  it('type-checks filled references against the expected signature', () => {
    const base = { input: { type: 'array', items: 'string' }, output: { type: 'array', items: 'string' } };
    expect(() =>
      engine({ ...base, action: { 'a.map': ['input', { fcn: 's.concat', fill: { z: { string: 'x' } } }] } }),
    ).toThrow(/no parameter/);
    expect(() =>
      engine({ ...base, action: { 'a.map': ['input', { fcn: 's.concat', fill: { x: 1 } }] } }),
    ).toThrow(PfaSemanticError);
    expect(() =>
      engine({
        ...base,
        action: { 'a.map': ['input', { fcn: 's.concat', fill: { x: { string: 'a' }, y: { string: 'b' } } }] },
      }),
    ).toThrow(PfaSemanticError);
    const user = {
      ...base,
      fcns: { f: { params: [{ a: 'int' }, { s: 'string' }], ret: 'string', do: 's' } },
      action: { 'a.map': ['input', { fcn: 'u.f', fill: { a: { string: 'no' } } }] },
    };
    expect(() => engine(user)).toThrow(/fill a/);
  });
});

describe('pack and unpack', () => {
  const bytesOut = (pack: unknown[], input: unknown = null, inputType: unknown = 'null') =>
    Buffer.from(
      PfaEngine.fromDocument(JSON.stringify({ input: inputType, output: 'bytes', action: { pack } })).action(
        input as never,
      ) as Uint8Array,
    ).toString('hex');

  it('packs every format, big endian by default', () => {
    expect(bytesOut([{ pad: null }, { boolean: true }, { byte: -1 }, { 'unsigned byte': 200 }])).toBe(
      '0001ffc8',
    );
    expect(bytesOut([{ short: 258 }, { 'little short': 258 }, { 'unsigned short': 65535 }])).toBe(
      '01020201ffff',
    );
    expect(bytesOut([{ int: 1 }, { 'little int': 1 }, { 'unsigned int': { long: 4294967295 } }])).toBe(
      '0000000101000000ffffffff',
    );
    expect(bytesOut([{ long: -2 }, { 'little long': 1 }])).toBe('fffffffffffffffe0100000000000000');
    expect(bytesOut([{ float: { float: 1.5 } }, { 'little float': { float: 1.5 } }])).toBe(
      '3fc000000000c03f',
    );
    expect(bytesOut([{ double: 1.5 }, { 'little double': 1.5 }])).toBe('3ff8000000000000000000000000f83f');
    expect(
      bytesOut(
        [{ raw: 'input' }, { 'raw 2': 'input' }, { tonull: 'input' }, { prefixed: 'input' }],
        new Uint8Array([7, 8]),
        'bytes',
      ),
    ).toBe('070807080708000207' + '08');
  });

  it('rejects wrong types at build and wrong sizes at run time', () => {
    expect(() => bytesOut([{ int: 1.5 }])).toThrow(PfaSemanticError);
    expect(() => bytesOut([{ 'sideways int': 1 }])).toThrow(/unknown pack/);
    expect(() => bytesOut([{ 'raw 3': 'input' }], new Uint8Array([1]), 'bytes')).toThrow(PfaRuntimeError);
  });

  it('unpacks into typed variables, with else when the bytes do not fit', () => {
    const doc = (format: unknown[], then: unknown, output: unknown) => ({
      input: 'bytes',
      output,
      action: { unpack: 'input', format, then, else: { error: 'no fit' } },
    });
    const e = engine(
      doc(
        [
          { p: 'pad' },
          { b: 'boolean' },
          { s: 'little short' },
          { u: 'unsigned int' },
          { d: 'double' },
          { z: 'tonull' },
          { q: 'prefixed' },
          { r: 'raw' },
        ],
        {
          new: {
            b: 'b',
            s: 's',
            u: 'u',
            d: 'd',
            z: { 'bytes.len': 'z' },
            q: { 'bytes.len': 'q' },
            r: { 'bytes.len': 'r' },
          },
          type: { type: 'map', values: ['boolean', 'int', 'long', 'double'] },
        },
        { type: 'map', values: ['boolean', 'int', 'long', 'double'] },
      ),
    );
    const bytes = Buffer.from('0001feffffffffff3ff800000000000061620002aabb0102', 'hex');
    expect(e.action(new Uint8Array(bytes))).toEqual({
      b: true,
      s: -2,
      u: 4294967295,
      d: 1.5,
      z: 2,
      q: 2,
      r: 2,
    });
    const round = engine({
      input: 'double',
      output: 'double',
      action: {
        unpack: { pack: [{ 'little double': 'input' }] },
        format: [{ x: 'little double' }],
        then: 'x',
        else: -1.0,
      },
    });
    expect(round.action(3.25)).toBe(3.25);
    const short = engine({
      input: 'bytes',
      output: 'int',
      action: { unpack: 'input', format: [{ x: 'int' }], then: 'x', else: -1 },
    });
    expect(short.action(new Uint8Array([0, 0, 1]))).toBe(-1);
    expect(short.action(new Uint8Array([0, 0, 1, 0, 9]))).toBe(-1); // leftover bytes
    expect(short.action(new Uint8Array([0, 0, 1, 0]))).toBe(256);
  });
});

describe('fold merge', () => {
  it('combines two tallies with engine.merge', () => {
    const doc = {
      method: 'fold',
      input: 'double',
      output: {
        type: 'record',
        name: 'Acc',
        fields: [
          { name: 'n', type: 'int' },
          { name: 'sum', type: 'double' },
        ],
      },
      zero: { n: 0, sum: 0.0 },
      action: { new: { n: { '+': ['tally.n', 1] }, sum: { '+': ['tally.sum', 'input'] } }, type: 'Acc' },
      merge: {
        new: { n: { '+': ['tallyOne.n', 'tallyTwo.n'] }, sum: { '+': ['tallyOne.sum', 'tallyTwo.sum'] } },
        type: 'Acc',
      },
    };
    const a = engine(doc);
    const b = engine(doc);
    [1, 2, 3].forEach((x) => a.action(x));
    [10, 20].forEach((x) => b.action(x));
    const m = a.merge(a.tally!, b.tally!) as { n: number; sum: number };
    expect({ n: m.n, sum: m.sum }).toEqual({ n: 5, sum: 36 });
    expect(() => engine({ ...doc, merge: 'tallyOne.n' })).toThrow(/merge returns/);
    expect(() => engine({ input: 'int', output: 'int', action: 'input', merge: 'tallyOne' })).toThrow(/fold/);
    expect(() => engine({ ...doc, merge: undefined }).merge(null, null)).toThrow(/no "merge"/);
  });
});
