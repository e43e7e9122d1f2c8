import { describe, expect, it } from 'vitest';
import { PfaEngine } from './compiler/engine';
import type { Value } from './values';

/**
 * Unit tests for la.*, metric.*, stat.*, prob.dist.* and interp.*: each call runs through a real engine
 * (type check, compile, execute) with its arguments passed as fields of the input record.
 */
const D = 'double';
const arr = (items: unknown) => ({ type: 'array', items });
const map = (values: unknown) => ({ type: 'map', values });
const VEC = arr(D);
const MAT = arr(VEC);
const SVEC = map(D);
const SMAT = map(SVEC);

function call(fcn: string, args: [unknown, Value][], output: unknown, extra: unknown[] = []): Value {
  const doc = {
    input: { type: 'record', name: 'Args', fields: args.map(([type], k) => ({ name: `a${k}`, type })) },
    // A record type is defined once: an output of the same type as an argument refers to it by name.
    output:
      (output as { type?: string }).type === 'record' && args.some(([t]) => t === output)
        ? (output as { name: string }).name
        : output,
    action: { [fcn]: [...args.map((_, k) => `input.a${k}`), ...extra] },
  };
  const input = Object.fromEntries(args.map(([, v], k) => [`a${k}`, v]));
  return PfaEngine.fromDocument(JSON.stringify(doc)).action(input as Value);
}
const code = (n: number) => expect.objectContaining({ code: n });
const close = (a: Value, b: number[] | number[][], eps = 1e-9) => {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const x = flat(a);
  const y = flat(b);
  expect(x).toHaveLength(y.length);
  x.forEach((v, k) => expect(v).toBeCloseTo(y[k]!, -Math.log10(eps)));
};
const sm = (o: Record<string, Record<string, number>>) => o as unknown as Value;

describe('la', () => {
  it('adds, subtracts, scales and maps dense and sparse matrices', () => {
    expect(
      call(
        'la.add',
        [
          [VEC, [1, 2]],
          [VEC, [3, 4]],
        ],
        VEC,
      ),
    ).toEqual([4, 6]);
    expect(
      call(
        'la.sub',
        [
          [MAT, [[1, 2]]],
          [MAT, [[3, 5]]],
        ],
        MAT,
      ),
    ).toEqual([[-2, -3]]);
    expect(() =>
      call(
        'la.add',
        [
          [VEC, [1, 2]],
          [VEC, [3]],
        ],
        VEC,
      ),
    ).toThrow(code(24030));
    expect(() =>
      call(
        'la.sub',
        [
          [MAT, [[1, 2]]],
          [MAT, [[3]]],
        ],
        MAT,
      ),
    ).toThrow(code(24040));
    // Sparse: missing entries are zero, so the result has the union of the keys.
    expect({
      ...(call(
        'la.add',
        [
          [SVEC, { a: 1 }],
          [SVEC, { b: 2 }],
        ],
        SVEC,
      ) as object),
    }).toEqual({ a: 1, b: 2 });
    expect(
      call(
        'la.scale',
        [
          [MAT, [[1, -2]]],
          [D, 3],
        ],
        MAT,
      ),
    ).toEqual([[3, -6]]);
    const sq = { params: [{ x: D }], ret: D, do: { '*': ['x', 'x'] } };
    expect(
      call(
        'la.map',
        [
          [
            MAT,
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ],
        MAT,
        [sq],
      ),
    ).toEqual([
      [1, 4],
      [9, 16],
    ]);
    const plus = { params: [{ x: D }, { y: D }], ret: D, do: { '+': ['x', 'y'] } };
    expect(() =>
      call(
        'la.zipmap',
        [
          [MAT, [[1]]],
          [MAT, [[1], [2]]],
        ],
        MAT,
        [plus],
      ),
    ).toThrow(code(24020));
  });

  it('multiplies matrices and vectors, with the specification error codes', () => {
    expect(
      call(
        'la.dot',
        [
          [
            MAT,
            [
              [1, 2],
              [3, 4],
            ],
          ],
          [VEC, [1, 1]],
        ],
        VEC,
      ),
    ).toEqual([3, 7]);
    expect(
      call(
        'la.dot',
        [
          [
            MAT,
            [
              [1, 2],
              [3, 4],
            ],
          ],
          [
            MAT,
            [
              [0, 1],
              [1, 0],
            ],
          ],
        ],
        MAT,
      ),
    ).toEqual([
      [2, 1],
      [4, 3],
    ]);
    expect(() =>
      call(
        'la.dot',
        [
          [MAT, [[1, 2]]],
          [VEC, [1, 2, 3]],
        ],
        VEC,
      ),
    ).toThrow(code(24050));
    expect(() =>
      call(
        'la.dot',
        [
          [MAT, []],
          [VEC, [1]],
        ],
        VEC,
      ),
    ).toThrow(code(24051));
    expect(() =>
      call(
        'la.dot',
        [
          [MAT, [[NaN]]],
          [VEC, [1]],
        ],
        VEC,
      ),
    ).toThrow(code(24052));
    const r = call(
      'la.dot',
      [
        [SMAT, sm({ r: { a: 2, b: 1 } })],
        [SVEC, { a: 3 }],
      ],
      SVEC,
    ) as Record<string, number>;
    expect(r['r']).toBe(6);
  });

  it('transposes, inverts, and computes trace, determinant and symmetry', () => {
    expect(
      call(
        'la.transpose',
        [
          [
            MAT,
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
          ],
        ],
        MAT,
      ),
    ).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(() => call('la.transpose', [[MAT, [[1, 2], [3]]]], MAT)).toThrow(code(24061));
    close(
      call(
        'la.inverse',
        [
          [
            MAT,
            [
              [4, 7],
              [2, 6],
            ],
          ],
        ],
        MAT,
      ),
      [
        [0.6, -0.7],
        [-0.2, 0.4],
      ],
    );
    // Not square: the Moore–Penrose pseudoinverse, here of a column vector.
    close(call('la.inverse', [[MAT, [[1], [2]]]], MAT), [[0.2, 0.4]]);
    expect(
      call(
        'la.trace',
        [
          [
            MAT,
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ],
        D,
      ),
    ).toBe(5);
    expect(
      call(
        'la.det',
        [
          [
            MAT,
            [
              [1, 2],
              [3, 4],
            ],
          ],
        ],
        D,
      ),
    ).toBeCloseTo(-2, 12);
    expect(() => call('la.det', [[MAT, [[1, 2]]]], D)).toThrow(code(24092));
    expect(call('la.det', [[SMAT, sm({ a: { a: 2 }, b: { b: 3 } })]], D)).toBeCloseTo(6, 12);
    expect(
      call(
        'la.symmetric',
        [
          [
            MAT,
            [
              [1, 2],
              [2.001, 1],
            ],
          ],
          [D, 0.01],
        ],
        'boolean',
      ),
    ).toBe(true);
    expect(
      call(
        'la.symmetric',
        [
          [
            MAT,
            [
              [1, 2],
              [3, 1],
            ],
          ],
          [D, 0.01],
        ],
        'boolean',
      ),
    ).toBe(false);
  });

  it('eigenBasis whitens a covariance matrix, and truncate keeps leading rows', () => {
    const cov = [
      [4, 0],
      [0, 1],
    ];
    const basis = call('la.eigenBasis', [[MAT, cov]], MAT) as number[][];
    close(basis, [
      [0.5, 0],
      [0, 1],
    ]);
    // B·C·Bᵀ = I for any symmetric positive-definite C.
    const c2 = [
      [2, 1],
      [1, 2],
    ];
    const b2 = call('la.eigenBasis', [[MAT, c2]], MAT) as number[][];
    const bc = b2.map((r) => c2[0]!.map((_, j) => r.reduce((s, v, k) => s + v * c2[k]![j]!, 0)));
    close(
      bc.map((r) => b2.map((q) => r.reduce((s, v, k) => s + v * q[k]!, 0))),
      [
        [1, 0],
        [0, 1],
      ],
    );
    expect(
      call(
        'la.truncate',
        [
          [MAT, [[1], [2], [3]]],
          ['int', 2],
        ],
        MAT,
      ),
    ).toEqual([[1], [2]]);
  });
});

describe('metric', () => {
  const NV = arr(['null', D]);
  it('computes the distances with similarity functions and missing values', () => {
    expect(
      call(
        'metric.simpleEuclidean',
        [
          [VEC, [0, 0]],
          [VEC, [3, 4]],
        ],
        D,
      ),
    ).toBe(5);
    expect(() =>
      call(
        'metric.simpleEuclidean',
        [
          [VEC, [0]],
          [VEC, [3, 4]],
        ],
        D,
      ),
    ).toThrow(code(28000));
    const absDiff = { fcn: 'metric.absDiff' };
    const e = (name: string, x: Value[], y: Value[], more: [unknown, Value][] = []) =>
      PfaEngine.fromDocument(
        JSON.stringify({
          input: {
            type: 'record',
            name: 'Args',
            fields: [
              { name: 'x', type: NV },
              { name: 'y', type: NV },
              ...more.map(([type], k) => ({ name: `m${k}`, type })),
            ],
          },
          output: D,
          action: { [name]: [absDiff, 'input.x', 'input.y', ...more.map((_, k) => `input.m${k}`)] },
        }),
      ).action({ x, y, ...Object.fromEntries(more.map(([, v], k) => [`m${k}`, v])) } as Value);
    expect(e('metric.euclidean', [0, 0], [3, 4])).toBe(5);
    expect(e('metric.squaredEuclidean', [0, 0], [3, 4])).toBe(25);
    expect(e('metric.chebyshev', [0, 0], [3, 4])).toBe(4);
    expect(e('metric.taxicab', [0, 0], [3, 4])).toBe(7);
    expect(e('metric.minkowski', [0, 0], [3, 4], [[D, 2]])).toBeCloseTo(5, 12);
    expect(() => e('metric.minkowski', [0, 0], [3, 4], [[D, 0]])).toThrow(code(28071));
    // One of two components missing: the present one counts double (Σq / Σ present q = 2).
    expect(e('metric.taxicab', [0, null], [3, 4])).toBe(6);
    expect(e('metric.taxicab', [0, null], [3, 4], [[VEC, [1, 3]]])).toBe(12);
    expect(() => e('metric.euclidean', [0], [3, 4])).toThrow(code(28030));
  });

  it('compares binary vectors', () => {
    const B = arr('boolean');
    const x = [true, true, false, false];
    const y = [true, false, true, false];
    expect(
      call(
        'metric.simpleMatching',
        [
          [B, x],
          [B, y],
        ],
        D,
      ),
    ).toBe(0.5);
    expect(
      call(
        'metric.jaccard',
        [
          [B, x],
          [B, y],
        ],
        D,
      ),
    ).toBeCloseTo(1 / 3, 12);
    expect(
      call(
        'metric.tanimoto',
        [
          [B, x],
          [B, y],
        ],
        D,
      ),
    ).toBeCloseTo(2 / 6, 12);
    expect(() =>
      call(
        'metric.jaccard',
        [
          [B, x],
          [B, [true]],
        ],
        D,
      ),
    ).toThrow(code(28090));
  });
});

describe('stat', () => {
  const rec = (name: string, fields: Record<string, unknown>) => ({
    type: 'record',
    name,
    fields: Object.entries(fields).map(([n, type]) => ({ name: n, type })),
  });
  it('updates running count, mean and variance (weighted)', () => {
    const S = rec('S', { count: D, mean: D, variance: D, label: 'string' });
    let s: Value = { count: 0, mean: 0, variance: 0, label: 'kept' };
    for (const x of [2, 4, 4, 4, 5, 5, 7, 9])
      s = call(
        'stat.sample.update',
        [
          [D, x],
          [D, 1],
          [S, s],
        ],
        S,
      );
    expect(s).toMatchObject({ count: 8, mean: 5, variance: 4, label: 'kept' });
  });

  it('updates a covariance matrix', () => {
    const S = rec('C', { count: D, mean: VEC, covariance: MAT });
    let s: Value = {
      count: 0,
      mean: [0, 0],
      covariance: [
        [0, 0],
        [0, 0],
      ],
    };
    for (const x of [
      [1, 2],
      [2, 4],
      [3, 6],
    ])
      s = call(
        'stat.sample.updateCovariance',
        [
          [VEC, x],
          [D, 1],
          [S, s],
        ],
        S,
      );
    close((s as { covariance: number[][] }).covariance, [
      [2 / 3, 4 / 3],
      [4 / 3, 8 / 3],
    ]);
    expect(() =>
      call(
        'stat.sample.updateCovariance',
        [
          [VEC, [1]],
          [D, 1],
          [S, s],
        ],
        S,
      ),
    ).toThrow(code(14011));
  });

  it('EWMA, Holt-Winters and forecasts', () => {
    const E = rec('E', { mean: D, variance: D });
    expect(
      call(
        'stat.sample.updateEWMA',
        [
          [D, 10],
          [D, 0.5],
          [E, { mean: 0, variance: 0 }],
        ],
        E,
      ),
    ).toMatchObject({ mean: 5, variance: 25 });
    expect(() =>
      call(
        'stat.sample.updateEWMA',
        [
          [D, 10],
          [D, 1.5],
          [E, { mean: 0, variance: 0 }],
        ],
        E,
      ),
    ).toThrow(code(14030));
    const H = rec('H', { level: D, trend: D });
    const h = call(
      'stat.sample.updateHoltWinters',
      [
        [D, 12],
        [D, 0.5],
        [D, 0.5],
        [H, { level: 10, trend: 1 }],
      ],
      H,
    );
    expect(h).toMatchObject({ level: 11.5, trend: 1.25 });
    expect(
      call(
        'stat.sample.forecastHoltWinters',
        [
          ['int', 2],
          [H, h],
        ],
        VEC,
      ),
    ).toEqual([12.75, 14]);
  });

  it('fills histograms and counters, keeps a top-N list, and tracks triggers', () => {
    const Hf = rec('Hf', { numbins: 'int', low: D, high: D, values: VEC, underflow: D, overflow: D });
    const h = call(
      'stat.sample.fillHistogram',
      [
        [D, 2.5],
        [D, 1],
        [Hf, { numbins: 4, low: 0, high: 4, values: [0, 0, 0, 0], underflow: 0, overflow: 0 }],
      ],
      Hf,
    );
    expect(h).toMatchObject({ values: [0, 0, 1, 0], overflow: 0 });
    expect(
      call(
        'stat.sample.fillHistogram',
        [
          [D, 4],
          [D, 1],
          [Hf, h],
        ],
        Hf,
      ),
    ).toMatchObject({ overflow: 1 });
    expect(() =>
      call(
        'stat.sample.fillHistogram',
        [
          [D, 1],
          [D, 1],
          [Hf, { ...(h as object), numbins: 3 }],
        ],
        Hf,
      ),
    ).toThrow(code(14080));
    const Hg = rec('Hg', { low: D, binsize: D, values: VEC });
    expect(
      call(
        'stat.sample.fillHistogram',
        [
          [D, 3.5],
          [D, 2],
          [Hg, { low: 0, binsize: 1, values: [] }],
        ],
        Hg,
      ),
    ).toMatchObject({ values: [0, 0, 0, 2] });
    const lt = { params: [{ a: D }, { b: D }], ret: 'boolean', do: { '<': ['a', 'b'] } };
    expect(
      call(
        'stat.sample.topN',
        [
          [D, 4],
          [VEC, [5, 3, 1]],
          ['int', 3],
        ],
        VEC,
        [lt],
      ),
    ).toEqual([5, 4, 3]);
    const T = rec('T', { numEvents: 'int', numRuns: 'int', currentRun: 'int', longestRun: 'int' });
    let t: Value = { numEvents: 0, numRuns: 0, currentRun: 0, longestRun: 0 };
    for (const p of [true, true, false, true])
      t = call(
        'stat.change.updateTrigger',
        [
          ['boolean', p],
          [T, t],
        ],
        T,
      );
    expect(t).toMatchObject({ numEvents: 3, numRuns: 2, currentRun: 1, longestRun: 2 });
    expect(() =>
      call(
        'stat.change.updateTrigger',
        [
          ['boolean', true],
          [T, { ...(t as object), numRuns: -1 }],
        ],
        T,
      ),
    ).toThrow(code(37000));
    expect(
      call(
        'stat.change.updateCUSUM',
        [
          [D, 1],
          [D, -3],
          [D, 0],
        ],
        D,
      ),
    ).toBe(0);
    expect(
      call(
        'stat.change.zValue',
        [
          [D, 3],
          [rec('MV', { mean: D, variance: D }), { mean: 1, variance: 4 }],
        ],
        D,
      ),
    ).toBe(1);
  });
});

describe('prob.dist', () => {
  it('gaussian log-likelihood, CDF and quantile, with parameter and input errors', () => {
    expect(
      call(
        'prob.dist.gaussianLL',
        [
          [D, 0],
          [D, 0],
          [D, 1],
        ],
        D,
      ),
    ).toBeCloseTo(-0.5 * Math.log(2 * Math.PI), 12);
    expect(
      call(
        'prob.dist.gaussianCDF',
        [
          [D, 1.96],
          [D, 0],
          [D, 1],
        ],
        D,
      ),
    ).toBeCloseTo(0.9750021, 6);
    expect(
      call(
        'prob.dist.gaussianQF',
        [
          [D, 0.975],
          [D, 0],
          [D, 1],
        ],
        D,
      ),
    ).toBeCloseTo(1.959964, 6);
    expect(
      call(
        'prob.dist.gaussianQF',
        [
          [D, 1e-10],
          [D, 0],
          [D, 1],
        ],
        D,
      ),
    ).toBeCloseTo(-6.361341, 5);
    expect(() =>
      call(
        'prob.dist.gaussianCDF',
        [
          [D, 1],
          [D, 0],
          [D, -1],
        ],
        D,
      ),
    ).toThrow(code(13010));
    expect(() =>
      call(
        'prob.dist.gaussianQF',
        [
          [D, 1.5],
          [D, 0],
          [D, 1],
        ],
        D,
      ),
    ).toThrow(code(13021));
    const P = {
      type: 'record',
      name: 'P',
      fields: [
        { name: 'mean', type: D },
        { name: 'variance', type: D },
      ],
    };
    expect(
      call(
        'prob.dist.gaussianCDF',
        [
          [D, 2],
          [P, { mean: 0, variance: 4 }],
        ],
        D,
      ),
    ).toBeCloseTo(0.8413447, 6);
  });
  it('closed-form families', () => {
    expect(
      call(
        'prob.dist.exponentialCDF',
        [
          [D, 1],
          [D, 2],
        ],
        D,
      ),
    ).toBeCloseTo(1 - Math.exp(-2), 12);
    expect(
      call(
        'prob.dist.exponentialQF',
        [
          [D, 0.5],
          [D, 1],
        ],
        D,
      ),
    ).toBeCloseTo(Math.LN2, 12);
    expect(() =>
      call(
        'prob.dist.exponentialPDF',
        [
          [D, 1],
          [D, -1],
        ],
        D,
      ),
    ).toThrow(code(13030));
    expect(
      call(
        'prob.dist.uniformPDF',
        [
          [D, 0.5],
          [D, 0],
          [D, 2],
        ],
        D,
      ),
    ).toBe(0.5);
    expect(() =>
      call(
        'prob.dist.uniformCDF',
        [
          [D, Infinity],
          [D, 0],
          [D, 2],
        ],
        D,
      ),
    ).toThrow(code(13341));
    expect(
      call(
        'prob.dist.cauchyCDF',
        [
          [D, 1],
          [D, 0],
          [D, 1],
        ],
        D,
      ),
    ).toBeCloseTo(0.75, 12);
    expect(
      call(
        'prob.dist.lognormalQF',
        [
          [D, 0.5],
          [D, 1],
          [D, 1],
        ],
        D,
      ),
    ).toBeCloseTo(Math.E, 9);
    expect(
      call(
        'prob.dist.weibullCDF',
        [
          [D, 1],
          [D, 1],
          [D, 1],
        ],
        D,
      ),
    ).toBeCloseTo(1 - Math.exp(-1), 12);
  });
});

describe('interp', () => {
  const table = (to: unknown) =>
    arr({
      type: 'record',
      name: 'R',
      fields: [
        { name: 'x', type: D },
        { name: 'to', type: to },
      ],
    });
  const T1 = table(D);
  const rows = [
    { x: 0, to: 0 },
    { x: 10, to: 100 },
    { x: 20, to: 120 },
  ];
  it('bins values', () => {
    expect(
      call(
        'interp.bin',
        [
          [D, 2.5],
          ['int', 4],
          [D, 0],
          [D, 10],
        ],
        'int',
      ),
    ).toBe(1);
    expect(
      call(
        'interp.bin',
        [
          [D, -2.5],
          [D, 0],
          [D, 1],
        ],
        'int',
      ),
    ).toBe(-3);
    expect(() =>
      call(
        'interp.bin',
        [
          [D, 10],
          ['int', 4],
          [D, 0],
          [D, 10],
        ],
        'int',
      ),
    ).toThrow(code(22002));
    expect(() =>
      call(
        'interp.bin',
        [
          [D, 1],
          ['int', 0],
          [D, 0],
          [D, 10],
        ],
        'int',
      ),
    ).toThrow(code(22001));
  });
  it('finds the nearest entry and interpolates linearly, flat or missing beyond the table', () => {
    expect(
      call(
        'interp.nearest',
        [
          [D, 12],
          [T1, rows],
        ],
        D,
      ),
    ).toBe(100);
    expect(() =>
      call(
        'interp.nearest',
        [
          [D, 12],
          [T1, []],
        ],
        D,
      ),
    ).toThrow(code(22010));
    expect(
      call(
        'interp.linear',
        [
          [D, 15],
          [T1, rows],
        ],
        D,
      ),
    ).toBe(110);
    expect(
      call(
        'interp.linear',
        [
          [D, 30],
          [T1, rows],
        ],
        D,
      ),
    ).toBe(140);
    expect(
      call(
        'interp.linearFlat',
        [
          [D, 30],
          [T1, rows],
        ],
        D,
      ),
    ).toBe(120);
    expect(
      call(
        'interp.linearMissing',
        [
          [D, -1],
          [T1, rows],
        ],
        ['null', D],
      ),
    ).toBe(null);
    expect(() =>
      call(
        'interp.linear',
        [
          [D, 1],
          [T1, rows.slice(0, 1)],
        ],
        D,
      ),
    ).toThrow(code(22020));
    const TV = table(VEC);
    expect(
      call(
        'interp.linear',
        [
          [D, 5],
          [
            TV,
            [
              { x: 0, to: [0, 0] },
              { x: 10, to: [10, 20] },
            ],
          ],
        ],
        VEC,
      ),
    ).toEqual([5, 10]);
    expect(() =>
      call(
        'interp.linear',
        [
          [D, 5],
          [
            TV,
            [
              { x: 0, to: [0] },
              { x: 10, to: [10, 20] },
            ],
          ],
        ],
        VEC,
      ),
    ).toThrow(code(22021));
  });
});
