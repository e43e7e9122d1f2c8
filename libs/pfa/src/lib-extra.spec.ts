import { describe, expect, it } from 'vitest';
import { PfaEngine } from './compiler/engine';
import type { Value } from './values';

/** Unit tests for the functions added in the second library pass; expected values computed by hand. */
function ev(
  action: unknown,
  output: unknown = 'double',
  input: unknown = 'null',
  datum: Value = null,
  extra: Record<string, unknown> = {},
): Value {
  return PfaEngine.fromDocument(JSON.stringify({ input, output, action, ...extra })).action(datum);
}
const code = (n: number) => expect.objectContaining({ code: n });
const near = (v: Value, x: number, digits = 7) => expect(v as number).toBeCloseTo(x, digits);
const pd = (name: string, ...args: unknown[]) => ev({ [`prob.dist.${name}`]: args });

describe('prob.dist families with incomplete gamma/beta', () => {
  it('chi2, gamma and poisson', () => {
    near(pd('chi2PDF', 2, 2), 0.5 * Math.exp(-1));
    near(pd('chi2CDF', 2, 2), 1 - Math.exp(-1));
    near(pd('chi2QF', 0.95, 1), 3.841458820694124, 6);
    expect(pd('chi2PDF', -1, 3)).toBe(0);
    expect(() => pd('chi2PDF', 1, -1)).toThrow(code(13060));
    expect(() => pd('chi2QF', 1.5, 2)).toThrow(code(13081));
    near(pd('gammaPDF', 1, 2, 1), Math.exp(-1));
    near(pd('gammaCDF', 1, 2, 1), 1 - 2 * Math.exp(-1));
    near(pd('gammaQF', 1 - 2 * Math.exp(-1), 2, 1), 1);
    near(pd('gammaCDF', 10, 2, 1), 1 - 11 * Math.exp(-10), 12); // continued-fraction branch
    near(pd('gammaCDF', 30, 3, 0.5), 1 - Math.exp(-60) * (1 + 60 + 1800), 12);
    expect(() => pd('gammaQF', 0.5, 0, 1)).toThrow(code(13140));
    expect(() => pd('gammaCDF', 0.5, -1, 1)).toThrow(code(13130));
    near(pd('poissonPDF', 2, 3), 4.5 * Math.exp(-3));
    near(pd('poissonCDF', 2, 3), 8.5 * Math.exp(-3));
    expect(pd('poissonQF', 0.5, 3)).toBe(3);
    expect(pd('poissonQF', 8.5 * Math.exp(-3), 3)).toBe(2);
    expect(() => pd('poissonPDF', 2, -3)).toThrow(code(13090));
  });

  it('beta, F and t', () => {
    near(pd('betaPDF', 0.5, 2, 2), 1.5);
    near(pd('betaCDF', 0.3, 2, 2), 0.216);
    near(pd('betaQF', 0.216, 2, 2), 0.3);
    expect(() => pd('betaCDF', 0.3, 0, 2)).toThrow(code(13160));
    near(pd('fPDF', 1, 2, 2), 0.25);
    near(pd('fCDF', 3, 2, 2), 0.75);
    near(pd('fQF', 0.75, 2, 2), 3);
    expect(() => pd('fQF', -0.1, 2, 2)).toThrow(code(13231));
    near(pd('tPDF', 0, 1), 1 / Math.PI);
    near(pd('tCDF', 1, 1), 0.75);
    near(pd('tCDF', -1, 1), 0.25);
    near(pd('tQF', 0.975, 10), 2.2281388519649385, 6);
    near(pd('tQF', 0.025, 10), -2.2281388519649385, 6);
    expect(() => pd('tCDF', 1, 0)).toThrow(code(13280));
  });

  it('binomial, geometric, hypergeometric and negative binomial', () => {
    near(pd('binomialPDF', 2, 4, 0.5), 0.375);
    near(pd('binomialCDF', 2.5, 4, 0.5), 0.6875);
    expect(pd('binomialQF', 0.6875, 4, 0.5)).toBe(2);
    expect(pd('binomialQF', 0.7, 4, 0.5)).toBe(3);
    expect(() => pd('binomialPDF', 2, 4, 1.5)).toThrow(code(13300));
    near(pd('geometricPDF', 2, 0.5), 0.125);
    near(pd('geometricCDF', 2, 0.5), 0.875);
    expect(pd('geometricQF', 0.875, 0.5)).toBe(2);
    expect(pd('geometricQF', 0.9, 0.5)).toBe(3);
    expect(() => pd('geometricCDF', 2, 0)).toThrow(code(13370));
    near(pd('hypergeometricPDF', 1, 3, 2, 2), 0.6);
    near(pd('hypergeometricCDF', 1, 3, 2, 2), 0.7);
    expect(pd('hypergeometricQF', 0.7, 3, 2, 2)).toBe(1);
    expect(pd('hypergeometricQF', 0.75, 3, 2, 2)).toBe(2);
    expect(() => pd('hypergeometricPDF', 0, 1, 1, 3)).toThrow(code(13390));
    near(pd('negativeBinomialPDF', 1, 2, 0.5), 0.25);
    near(pd('negativeBinomialCDF', 1, 2, 0.5), 0.5);
    expect(pd('negativeBinomialQF', 0.5, 2, 0.5)).toBe(1);
    expect(() => pd('negativeBinomialQF', 0.5, 0, 0.5)).toThrow(code(13470));
  });
});

describe('time', () => {
  const t = (f: string, ...args: unknown[]) =>
    ev({ [`time.${f}`]: args }, f.startsWith('is') ? 'boolean' : f === 'makeTimestamp' ? 'double' : 'int');
  const s = (x: string) => ({ string: x });
  // 1436023800 is Saturday 2015-07-04 15:30:00 UTC; 1456790370 is Monday 2016-02-29 23:59:30 UTC.
  it('reads calendar fields in a zone', () => {
    expect(t('year', 0, s(''))).toBe(1970);
    expect(t('hourOfDay', 1436023800, s('America/New_York'))).toBe(11);
    expect(t('dayOfWeek', 1436023800, s('America/New_York'))).toBe(5);
    expect(t('isWeekend', 1436023800, s('Europe/Paris'))).toBe(true);
    expect(t('dayOfYear', 1456790370, s('UTC'))).toBe(60);
    expect(t('dayOfYear', 1456790370, s('Asia/Tokyo'))).toBe(61);
    expect(t('monthOfYear', 1456790370, s('Asia/Tokyo'))).toBe(3);
    expect(t('dayOfMonth', 1456790370, s('Asia/Tokyo'))).toBe(1);
    expect(t('minuteOfHour', 1456790370, s('Asia/Tokyo'))).toBe(59);
    expect(t('secondOfMinute', 1456790370.75, s('Asia/Tokyo'))).toBe(30);
    expect(t('isWorkHours', 1456790370, s(''))).toBe(false);
    expect(t('isWorkHours', 1456790370 - 14 * 3600, s(''))).toBe(true);
    expect(t('isHourOfDay', 1436023800, s('America/New_York'), 9, 12)).toBe(true);
    expect(t('isDayOfMonth', 1436023800, s(''), 1, 4)).toBe(false);
    expect(t('isMonthOfYear', 1436023800, s(''), 7, 8)).toBe(true);
  });
  it('makes timestamps and raises the specification codes', () => {
    expect(t('makeTimestamp', 2015, 7, 4, 11, 30, 0, 0, s('America/New_York'))).toBe(1436023800);
    expect(t('makeTimestamp', 1970, 1, 1, 0, 0, 0, 500, s(''))).toBe(0.5);
    expect(() => t('makeTimestamp', 2015, 2, 29, 0, 0, 0, 0, s(''))).toThrow(code(40081));
    expect(() => t('makeTimestamp', 2015, 2, 2, 0, 0, 0, 0, s('Nowhere/Foo'))).toThrow(code(40080));
    expect(() => t('year', 0, s('Nowhere/Foo'))).toThrow(code(40000));
    expect(() => t('year', -62135596801, s(''))).toThrow(code(40001));
    expect(() => t('isHourOfDay', 0, s(''), 12, 9)).toThrow(code(40110));
    expect(() => t('isWeekend', 1e12, s(''))).toThrow(code(40161));
  });
});

describe('rand (seeded)', () => {
  const r = (action: unknown, output: unknown, seed = 42) =>
    ev(action, output, 'null', null, { randseed: seed });
  it('is reproducible for a seed and stays in range', () => {
    const doc = { 'a.shuffle': [{ value: [1, 2, 3, 4, 5, 6, 7, 8], type: { type: 'array', items: 'int' } }] };
    const a = r(doc, { type: 'array', items: 'int' }) as number[];
    expect(r(doc, { type: 'array', items: 'int' })).toEqual(a);
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const e = PfaEngine.fromDocument(
      JSON.stringify({ input: 'null', output: 'int', action: { 'rand.int': [3, 7] } }),
      { seed: 1 },
    );
    const xs = Array.from({ length: 200 }, () => e.action(null) as number);
    expect(Math.min(...xs)).toBe(3);
    expect(Math.max(...xs)).toBe(6);
    const d = r({ 'rand.double': [-1, 1] }, 'double') as number;
    expect(d >= -1 && d < 1).toBe(true);
    expect(r({ 'rand.uuid4': [] }, 'string')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(r({ 'rand.string': [5, { string: 'ab' }] }, 'string') as string).toMatch(/^[ab]{5}$/);
    expect(r({ 'rand.bytes': [4, 10, 11] }, 'bytes') as Uint8Array).toEqual(new Uint8Array([10, 10, 10, 10]));
    const s = r(
      { 'rand.sample': [3, { value: [1, 2, 3], type: { type: 'array', items: 'int' } }] },
      { type: 'array', items: 'int' },
    ) as number[];
    expect([...s].sort()).toEqual([1, 2, 3]);
    // A zero weight is never drawn.
    const h = Array.from({ length: 50 }, (_, k) =>
      r({ 'rand.histogram': [{ value: [0, 1, 0, 3], type: { type: 'array', items: 'double' } }] }, 'int', k),
    );
    expect(new Set(h)).toEqual(new Set([1, 3]));
    expect(typeof r({ 'rand.gaussian': [0, 1] }, 'double')).toBe('number');
  });
  it('raises the specification codes', () => {
    expect(() => r({ 'rand.int': [3, 3] }, 'int')).toThrow(code(34000));
    expect(() => r({ 'rand.choice': [{ value: [], type: { type: 'array', items: 'int' } }] }, 'int')).toThrow(
      code(34040),
    );
    expect(() =>
      r(
        { 'rand.sample': [4, { value: [1], type: { type: 'array', items: 'int' } }] },
        { type: 'array', items: 'int' },
      ),
    ).toThrow(code(34061));
    expect(() =>
      r({ 'rand.histogram': [{ value: [0, -1], type: { type: 'array', items: 'double' } }] }, 'int'),
    ).toThrow(code(34072));
    expect(() =>
      r({ 'rand.histogram': [{ value: [0, 0], type: { type: 'array', items: 'double' } }] }, 'int'),
    ).toThrow(code(34070));
    expect(() => r({ 'rand.string': [0] }, 'string')).toThrow(code(34080));
    expect(() => r({ 'rand.string': [3, 0, 5] }, 'string')).toThrow(code(34082));
    expect(() => r({ 'rand.bytes': [3, 0, 300] }, 'bytes')).toThrow(code(34092));
  });
});

const A = (items: unknown) => ({ type: 'array', items });
const M = (values: unknown) => ({ type: 'map', values });
const lit = (type: unknown, value: unknown) => ({ type, value });

describe('stat.test and the model.reg aliases', () => {
  it('residuals, pulls and Mahalanobis distances', () => {
    expect(ev({ 'stat.test.residual': [5, 3] })).toBe(2);
    expect(
      ev({ 'model.reg.residual': [lit(A('double'), [1, 2]), lit(A('double'), [0.5, 0.5])] }, A('double')),
    ).toEqual([0.5, 1.5]);
    expect(() =>
      ev({ 'stat.test.residual': [lit(A('double'), [1, 2]), lit(A('double'), [0.5])] }, A('double')),
    ).toThrow(code(38010));
    expect(() =>
      ev({ 'stat.test.residual': [lit(M('double'), { a: 1 }), lit(M('double'), { b: 1 })] }, M('double')),
    ).toThrow(code(38010));
    expect(ev({ 'stat.test.pull': [5, 3, 2] })).toBe(1);
    expect(() =>
      ev(
        { 'model.reg.pull': [lit(A('double'), [1]), lit(A('double'), [1]), lit(A('double'), [])] },
        A('double'),
      ),
    ).toThrow(code(31031));
    near(
      ev({
        'stat.test.mahalanobis': [
          lit(A('double'), [1, 2]),
          lit(A('double'), [0, 0]),
          lit(A(A('double')), [
            [1, 0],
            [0, 4],
          ]),
        ],
      }),
      Math.SQRT2,
    );
    near(
      ev({
        'stat.test.mahalanobis': [
          lit(M('double'), { a: 1, b: 2 }),
          lit(M('double'), { a: 0, b: 0 }),
          lit(M(M('double')), { a: { a: 1, b: 0 }, b: { a: 0, b: 4 } }),
        ],
      }),
      Math.SQRT2,
    );
    expect(() =>
      ev({ 'stat.test.mahalanobis': [lit(A('double'), []), lit(A('double'), []), lit(A(A('double')), [])] }),
    ).toThrow(code(38030));
    expect(() =>
      ev({
        'model.reg.mahalanobis': [
          lit(A('double'), [1]),
          lit(A('double'), [1]),
          lit(A(A('double')), [[1, 2]]),
        ],
      }),
    ).toThrow(code(31042));
  });
  it('chi-square state and the Kolmogorov-Smirnov test', () => {
    const S = {
      type: 'record',
      name: 'S',
      fields: [
        { name: 'chi2', type: 'double' },
        { name: 'dof', type: 'int' },
      ],
    };
    const s = ev({ 'stat.test.updateChi2': [lit(A('double'), [1, 2]), 'input'] }, 'S', S, {
      chi2: 1,
      dof: 1,
    }) as Record<string, number>;
    expect([s['chi2'], s['dof']]).toEqual([6, 2]);
    expect(ev({ 'stat.test.reducedChi2': ['input'] }, 'double', S, { chi2: 6, dof: 2 })).toBe(3);
    near(
      ev({ 'stat.test.chi2Prob': ['input'] }, 'double', S, { chi2: 2, dof: 2 }) as number,
      1 - Math.exp(-1),
    );
    expect(() => ev({ 'stat.test.chi2Prob': ['input'] }, 'double', S, { chi2: 2, dof: -1 })).toThrow(
      code(38060),
    );
    const S2 = {
      type: 'record',
      name: 'S',
      fields: [
        { name: 'chi2', type: 'double' },
        { name: 'DOF', type: 'int' },
      ],
    };
    expect(ev({ 'model.reg.reducedChi2': ['input'] }, 'double', S2, { chi2: 6, DOF: 3 })).toBe(2);
    expect(() => ev({ 'model.reg.chi2Prob': ['input'] }, 'double', S2, { chi2: 2, DOF: -1 })).toThrow(
      code(31070),
    );
    expect(ev({ 'stat.test.kolmogorov': [lit(A('double'), [1, 2, 3]), lit(A('double'), [3, 2, 1])] })).toBe(
      1,
    );
    const l = Math.sqrt(100 / 20) + 0.12 + 0.11 / Math.sqrt(100 / 20);
    const xs = Array.from({ length: 10 }, (_, k) => k);
    near(
      ev({
        'stat.test.kolmogorov': [
          lit(A('double'), xs),
          lit(
            A('double'),
            xs.map((x) => x + 10),
          ),
        ],
      }),
      2 * Math.exp(-2 * l * l) - 2 * Math.exp(-8 * l * l),
      9,
    );
    expect(ev({ 'stat.test.kolmogorov': [lit(A('double'), []), lit(A('double'), [])] })).toBe(1);
  });
  it('propagates regression variances', () => {
    const R = (covar: unknown) => ({ type: 'record', name: 'R', fields: [{ name: 'covar', type: covar }] });
    expect(
      ev({
        'model.reg.linearVariance': [
          lit(A('double'), [2]),
          lit(R(A(A('double'))), {
            covar: [
              [1, 0],
              [0, 1],
            ],
          }),
        ],
      }),
    ).toBe(5);
    expect(
      ev(
        {
          'model.reg.linearVariance': [
            lit(A('double'), [2]),
            lit(R(A(A(A('double')))), {
              covar: [
                [
                  [1, 0],
                  [0, 1],
                ],
                [
                  [0, 1],
                  [1, 0],
                ],
              ],
            }),
          ],
        },
        A('double'),
      ),
    ).toEqual([5, 4]);
    expect(
      ev({
        'model.reg.linearVariance': [
          lit(M('double'), { a: 2 }),
          lit(R(M(M('double'))), { covar: { a: { a: 1 }, '': { '': 1 } } }),
        ],
      }),
    ).toBe(5);
    expect(() =>
      ev({
        'model.reg.linearVariance': [
          lit(A('double'), [2, 3]),
          lit(R(A(A('double'))), {
            covar: [
              [1, 0],
              [0, 1],
            ],
          }),
        ],
      }),
    ).toThrow(code(31010));
  });
});

describe('model.tree and model.cluster additions', () => {
  const D = { type: 'record', name: 'D', fields: [{ name: 'x', type: ['null', 'double'] }] };
  const C = { type: 'record', name: 'C', fields: [{ name: 'limit', type: 'double' }] };
  // test(d, c): null when x is missing, else x < limit.
  const test = {
    params: [{ d: 'D' }, { c: 'C' }],
    ret: ['null', 'boolean'],
    do: { ifnotnull: { x: 'd.x' }, then: { '<': ['x', 'c.limit'] }, else: null },
  };
  const strict = {
    params: [{ d: 'D' }, { c: 'C' }],
    ret: 'boolean',
    do: { ifnotnull: { x: 'd.x' }, then: { '<': ['x', 'c.limit'] }, else: false },
  };
  const cs = (...ls: number[]) =>
    lit(
      A(C),
      ls.map((limit) => ({ limit })),
    );
  it('compound and surrogate tests', () => {
    const run = (op: string, x: number | null) =>
      ev({ 'model.tree.compoundTest': ['input', { string: op }, cs(1, 5), strict] }, 'boolean', D, { x });
    expect(run('and', 0)).toBe(true);
    expect(run('and', 3)).toBe(false);
    expect(run('or', 3)).toBe(true);
    expect(run('xor', 3)).toBe(true);
    expect(run('xor', 0)).toBe(false);
    expect(() => run('nand', 0)).toThrow(code(32020));
    expect(ev({ 'model.tree.surrogateTest': ['input', cs(1), test] }, 'boolean', D, { x: 3 })).toBe(false);
    expect(() =>
      ev({ 'model.tree.surrogateTest': ['input', cs(1), test] }, 'boolean', D, { x: null }),
    ).toThrow(code(32030));
  });
  it('walks a tree with a missing branch', () => {
    const T = {
      type: 'record',
      name: 'T',
      fields: [
        { name: 'limit', type: 'double' },
        { name: 'pass', type: ['T', 'string'] },
        { name: 'fail', type: ['T', 'string'] },
        { name: 'missing', type: ['T', 'string'] },
      ],
    };
    const tree = {
      limit: 5,
      pass: {
        T: { limit: 1, pass: { string: 'tiny' }, fail: { string: 'small' }, missing: { string: '?' } },
      },
      fail: { string: 'big' },
      missing: { string: 'none' },
    };
    const ttest = { ...test, params: [{ d: 'D' }, { c: 'T' }] };
    const doc = (x: number | null) =>
      PfaEngine.fromDocument(
        JSON.stringify({
          input: D,
          output: 'string',
          cells: { tree: { type: T, init: tree } },
          action: { 'model.tree.missingWalk': ['input', { cell: 'tree' }, ttest] },
        }),
      ).action({ x });
    expect(doc(3)).toBe('small');
    expect(doc(0)).toBe('tiny');
    expect(doc(9)).toBe('big');
    expect(doc(null)).toBe('none');
  });
  it('closestN, updateMean and a k-means iteration', () => {
    const K = {
      type: 'record',
      name: 'K',
      fields: [
        { name: 'center', type: A('double') },
        { name: 'id', type: 'int' },
      ],
    };
    const ks = lit(A('K'), [
      { center: [0], id: 0 },
      { center: [5], id: 1 },
      { center: [1], id: 2 },
    ]);
    const ids = (v: Value) => (v as { id: number }[]).map((c) => c.id);
    expect(ids(ev({ 'model.cluster.closestN': [2, lit(A('double'), [0.9]), ks] }, A(K)))).toEqual([2, 0]);
    expect(() => ev({ 'model.cluster.closestN': [-1, lit(A('double'), [0.9]), ks] }, A(K))).toThrow(
      code(29010),
    );
    const um = ev(
      {
        'model.cluster.updateMean': [
          lit(A(A('double')), [
            [2, 2],
            [4, 4],
          ]),
          lit('K', { center: [0, 0], id: 7 }),
          2,
        ],
      },
      K,
    ) as { center: number[]; id: number };
    expect(um.center).toEqual([1.5, 1.5]);
    expect(um.id).toBe(7);
    expect(() =>
      ev({ 'model.cluster.updateMean': [lit(A(A('double')), []), lit('K', { center: [0], id: 7 }), 2] }, K),
    ).toThrow(code(29040));
    const metric = {
      params: [{ a: A('double') }, { b: A('double') }],
      ret: 'double',
      do: {
        'm.abs': {
          '-': [
            { attr: 'a', path: [0] },
            { attr: 'b', path: [0] },
          ],
        },
      },
    };
    const update = {
      params: [{ data: A(A('double')) }, { c: 'K' }],
      ret: 'K',
      do: { 'model.cluster.updateMean': ['data', 'c', 0] },
    };
    const it1 = ev(
      {
        'model.cluster.kmeansIteration': [
          lit(A(A('double')), [[0], [1], [10], [11]]),
          lit(A('K'), [
            { center: [0], id: 0 },
            { center: [10], id: 1 },
            { center: [100], id: 2 },
          ]),
          metric,
          update,
        ],
      },
      A(K),
    ) as { center: number[] }[];
    expect(it1.map((c) => c.center)).toEqual([[0.5], [10.5], [100]]);
    const seeds = ev(
      {
        'model.cluster.randomSeeds': [
          lit(A(A('double')), [[1], [1], [2], [3]]),
          3,
          {
            params: [{ i: 'int' }, { v: A('double') }],
            ret: 'K',
            do: { new: { center: 'v', id: 'i' }, type: 'K' },
          },
        ],
      },
      A(K),
      'null',
      null,
      { randseed: 3 },
    ) as { center: number[]; id: number }[];
    expect(seeds.map((s) => s.id)).toEqual([0, 1, 2]);
    expect(seeds.map((s) => s.center[0]).sort()).toEqual([1, 2, 3]);
    expect(() =>
      ev(
        {
          'model.cluster.randomSeeds': [
            lit(A(A('double')), [[1], [1]]),
            2,
            {
              params: [{ i: 'int' }, { v: A('double') }],
              ret: 'K',
              do: { new: { center: 'v', id: 'i' }, type: 'K' },
            },
          ],
        },
        A(K),
      ),
    ).toThrow(code(29021));
  });
});

describe('serialization and sets', () => {
  const bytes = (action: unknown) => [...(ev(action, 'bytes') as Uint8Array)];
  it('encodes Avro binary and Avro JSON', () => {
    expect(bytes({ 'cast.avro': 1 })).toEqual([2]);
    expect(bytes({ 'cast.avro': -1 })).toEqual([1]);
    expect(bytes({ 'cast.avro': lit('long', 64) })).toEqual([0x80, 0x01]);
    expect(bytes({ 'cast.avro': { string: 'ab' } })).toEqual([4, 97, 98]);
    expect(bytes({ 'cast.avro': lit('double', 1) })).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect(bytes({ 'cast.avro': lit(['null', 'int'], { int: 3 }) })).toEqual([2, 6]);
    expect(bytes({ 'cast.avro': lit(A('int'), [1, 2]) })).toEqual([4, 2, 4, 0]);
    const R = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'double' },
        { name: 'c', type: ['null', 'int'] },
        { name: 'd', type: 'bytes' },
      ],
    };
    expect(ev({ 'cast.json': lit(R, { a: 1, b: 2, c: { int: 3 }, d: 'A' }) }, 'string')).toBe(
      '{"a":1,"b":2.0,"c":{"int":3},"d":"A"}',
    );
    expect(ev({ 'cast.json': lit(M('double'), { x: 0.5 }) }, 'string')).toBe('{"x":0.5}');
  });
  it('treats maps keyed by base64 Avro as sets', () => {
    const S = (xs: number[]) => ({ 'map.toset': lit(A('int'), xs) });
    const set = ev(S([1, 2, 2]), M('int')) as Record<string, number>;
    expect({ ...set }).toEqual({ 'Ag==': 1, 'BA==': 2 });
    expect(ev({ 'map.in': [S([1, 2]), 2] }, 'boolean')).toBe(true);
    expect(ev({ 'map.in': [S([1, 2]), 5] }, 'boolean')).toBe(false);
    const arr = (action: unknown) => (ev({ 'map.fromset': action }, A('int')) as number[]).sort();
    expect(arr({ 'map.union': [S([1, 2]), S([2, 3])] })).toEqual([1, 2, 3]);
    expect(arr({ 'map.intersection': [S([1, 2]), S([2, 3])] })).toEqual([2]);
    expect(arr({ 'map.diff': [S([1, 2]), S([2, 3])] })).toEqual([1]);
    expect(arr({ 'map.symdiff': [S([1, 2]), S([2, 3])] })).toEqual([1, 3]);
    expect(ev({ 'map.subset': [S([2]), S([2, 3])] }, 'boolean')).toBe(true);
    expect(ev({ 'map.subset': [S([1, 2]), S([2, 3])] }, 'boolean')).toBe(false);
    expect(ev({ 'map.disjoint': [S([1]), S([2, 3])] }, 'boolean')).toBe(true);
  });
});

describe('array, string and cast additions', () => {
  it('a.ntile, a.combinations, a.permutations, a.groupby', () => {
    expect(ev({ 'a.ntile': [lit(A('double'), [1, 3, 2, 4]), 0.5] })).toBe(2.5);
    expect(ev({ 'a.ntile': [lit(A('int'), [1, 3, 2, 4]), 0.5] }, 'int')).toBe(2);
    expect(ev({ 'a.ntile': [lit(A('double'), [1, 3, 2, 4]), -1] })).toBe(1);
    expect(ev({ 'a.ntile': [lit(A('double'), [1, 3, 2, 4]), 1] })).toBe(4);
    expect(() => ev({ 'a.ntile': [lit(A('double'), []), 0.5] })).toThrow(code(15460));
    expect(() => ev({ 'a.ntile': [lit(A('double'), [1]), { 'm.sqrt': -1 }] })).toThrow(code(15461));
    expect(ev({ 'a.combinations': [lit(A('int'), [1, 2, 3]), 2] }, A(A('int')))).toEqual([
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
    expect(() => ev({ 'a.combinations': [lit(A('int'), [1, 2, 3]), 0] }, A(A('int')))).toThrow(code(15780));
    expect(ev({ 'a.permutations': lit(A('int'), [1, 2, 3]) }, A(A('int')))).toEqual([
      [1, 2, 3],
      [1, 3, 2],
      [2, 1, 3],
      [2, 3, 1],
      [3, 1, 2],
      [3, 2, 1],
    ]);
    const first = { params: [{ s: 'string' }], ret: 'string', do: { 's.substr': ['s', 0, 1] } };
    const g = ev(
      { 'a.groupby': [lit(A('string'), ['apple', 'bean', 'avocado']), first] },
      M(A('string')),
    ) as Record<string, string[]>;
    expect({ ...g }).toEqual({ a: ['apple', 'avocado'], b: ['bean'] });
  });
  it('s.number', () => {
    const n = (...args: unknown[]) => ev({ 's.number': args }, 'string');
    expect(n(3.14159, null, 2)).toBe('3.14');
    expect(n(1.5, 6, null)).toBe('   1.5');
    expect(n(1.5, -6, null)).toBe('1.5   ');
    expect(n(2.0, null, null)).toBe('2.0');
    expect(n(1234567.0, null, 3)).toBe('1.235e+06');
    expect(n(0.00001, null, null)).toBe('1.0e-05');
    expect(n(1234567.0, null, null, 0.0001, 1e7)).toBe('1234567.0');
    expect(n({ '/': [0, 0] }, null, null)).toBe('nan');
    expect(n({ '-': [0, { '/': [1, 0] }] }, null, null)).toBe('-inf');
    expect(n(lit('long', 42), 5, true)).toBe('00042');
    expect(n(-42, 5, true)).toBe('-0042');
    expect(n(42)).toBe('42');
    expect(() => n(42, -5, true)).toThrow(code(39120));
    expect(() => n(1.5, null, -1)).toThrow(code(39121));
  });
  it('cast.fanout*', () => {
    const E = { type: 'enum', name: 'E', symbols: ['x', 'y', 'z'] };
    expect(ev({ 'cast.fanoutBoolean': lit(E, 'y') }, A('boolean'))).toEqual([false, true, false]);
    const dict = lit(A('string'), ['a', 'b', 'c']);
    expect(ev({ 'cast.fanoutBoolean': [{ string: 'b' }, dict, true] }, A('boolean'))).toEqual([
      false,
      true,
      false,
      false,
    ]);
    expect(ev({ 'cast.fanoutDouble': [{ string: 'z' }, dict, true] }, A('double'))).toEqual([0, 0, 0, 1]);
    expect(ev({ 'cast.fanoutInt': [5, 3, 6, false] }, A('int'))).toEqual([0, 0, 1]);
    expect(ev({ 'cast.fanoutLong': [9, 3, 6, true] }, A('long'))).toEqual([0, 0, 0, 1]);
    expect(() =>
      ev({ 'cast.fanoutFloat': [{ string: 'a' }, lit(A('string'), ['a', 'a']), false] }, A('float')),
    ).toThrow(code(17090));
  });
});

describe('stat.sample.updateWindow and fillHistogram2d', () => {
  it('keeps a running mean and variance over a window', () => {
    const W = {
      type: 'record',
      name: 'W',
      fields: ['x', 'w', 'count', 'mean', 'variance'].map((name) => ({ name, type: 'double' })),
    };
    const e = PfaEngine.fromDocument(
      JSON.stringify({
        input: 'double',
        output: A(W),
        cells: { s: { type: A('W'), init: [] } },
        action: [
          { cell: 's', to: { 'stat.sample.updateWindow': ['input', 1, { cell: 's' }, 3] } },
          { cell: 's' },
        ],
      }),
    );
    const last = (v: Value) => (v as Record<string, number>[]).at(-1)!;
    expect(last(e.action(1))['mean']).toBe(1);
    near(last(e.action(2))['variance']!, 0.25);
    const third = e.action(3) as Record<string, number>[];
    expect(third).toHaveLength(3);
    near(third.at(-1)!['variance']!, 2 / 3);
    const fourth = e.action(6) as Record<string, number>[];
    expect(fourth.map((r) => r['x'])).toEqual([2, 3, 6]);
    near(fourth.at(-1)!['mean']!, 11 / 3);
    near(fourth.at(-1)!['variance']!, 26 / 9);
    expect(() => ev({ 'stat.sample.updateWindow': [1, 1, lit(A('W'), []), 1] }, A(W))).toThrow(code(14020));
    const X = {
      type: 'record',
      name: 'X',
      fields: ['x', 'w', 'count', 'other'].map((name) => ({ name, type: 'double' })),
    };
    expect(() => ev({ 'stat.sample.updateWindow': [1, 1, lit(A('X'), []), 3] }, A(X))).toThrow(code(14021));
  });
  it('fills a 2-d histogram and its flow counters', () => {
    const H = {
      type: 'record',
      name: 'H',
      fields: [
        { name: 'xnumbins', type: 'int' },
        { name: 'xlow', type: 'double' },
        { name: 'xhigh', type: 'double' },
        { name: 'ynumbins', type: 'int' },
        { name: 'ylow', type: 'double' },
        { name: 'yhigh', type: 'double' },
        { name: 'values', type: A(A('double')) },
        { name: 'overmidflow', type: 'double' },
        { name: 'nanflow', type: 'double' },
      ],
    };
    const h0 = {
      xnumbins: 2,
      xlow: 0,
      xhigh: 2,
      ynumbins: 2,
      ylow: 0,
      yhigh: 2,
      values: [
        [0, 0],
        [0, 0],
      ],
      overmidflow: 0,
      nanflow: 0,
    };
    const fill = (x: unknown, y: unknown, h: unknown = h0) =>
      ev({ 'stat.sample.fillHistogram2d': [x, y, 1, 'input'] }, 'H', H, h as Value) as Record<
        string,
        unknown
      >;
    expect(fill(0.5, 1.5)['values']).toEqual([
      [0, 1],
      [0, 0],
    ]);
    expect(fill(5, 0.5)['overmidflow']).toBe(1);
    expect(fill({ '/': [0, 0] }, 0.5)['nanflow']).toBe(1);
    expect(() => fill(0, 0, { ...h0, values: [[0, 0]] })).toThrow(code(14090));
    expect(() => fill(0, 0, { ...h0, xhigh: 0 })).toThrow(code(14091));
  });
});

describe('model.reg.gaussianProcess', () => {
  const kernel = {
    params: [{ a: A('double') }, { b: A('double') }],
    ret: 'double',
    do: {
      'm.exp': {
        'u-': {
          '**': [
            {
              '-': [
                { attr: 'a', path: [0] },
                { attr: 'b', path: [0] },
              ],
            },
            2,
          ],
        },
      },
    },
  };
  const R1 = {
    type: 'record',
    name: 'R',
    fields: [
      { name: 'x', type: 'double' },
      { name: 'to', type: 'double' },
    ],
  };
  const gp = (x: unknown, table: unknown[], kw: unknown, out: unknown = 'double', R: unknown = R1) =>
    ev({ 'model.reg.gaussianProcess': [x, lit(A(R), table), kw, kernel] }, out);
  it('interpolates the training data and decays to the Kriging weight', () => {
    const t = [
      { x: 0, to: 1 },
      { x: 1, to: 3 },
    ];
    near(gp(1, t, lit(['null', 'double'], { double: 0 })), 3, 9);
    near(gp(0, t, null), 1, 9);
    // One point, weight 0: 2·k(x, 0); universal Kriging: the constant 2.
    near(gp(1, [{ x: 0, to: 2 }], lit(['null', 'double'], { double: 0 })), 2 * Math.exp(-1), 12);
    near(gp(5, [{ x: 0, to: 2 }], null), 2, 12);
    const RV = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'x', type: A('double') },
        { name: 'to', type: A('double') },
      ],
    };
    const v = ev(
      {
        'model.reg.gaussianProcess': [
          lit(A('double'), [1]),
          lit(A(RV), [
            { x: [0], to: [1, 10] },
            { x: [1], to: [3, 30] },
          ]),
          null,
          kernel,
        ],
      },
      A('double'),
    ) as number[];
    near(v[0]!, 3, 9);
    near(v[1]!, 30, 9);
  });
  it('raises the specification codes', () => {
    expect(() => gp(1, [], null)).toThrow(code(31080));
    expect(() => gp({ '/': [0, 0] }, [{ x: 0, to: 1 }], null)).toThrow(code(31085));
    expect(() => gp(1, [{ x: 0, to: 1 }], lit(['null', 'double'], { double: 'Infinity' }))).toThrow(
      code(31087),
    );
    expect(() =>
      gp(
        1,
        [
          { x: 0, to: 1 },
          { x: 0, to: 2 },
        ],
        null,
      ),
    ).toThrow(code(31088));
  });
});
