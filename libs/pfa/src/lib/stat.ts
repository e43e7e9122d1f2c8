import { rtError } from '../errors';
import type { AvroType, FcnType, RecordType } from '../types/avro-type';
import { makeRecord, type PfaRecord, type Value } from '../values';
import { def, fn } from './registry';

/**
 * `stat.sample.*` and `stat.change.*`: running statistics kept in state records. PFA values are immutable,
 * so every update returns a new record of the state's own type with the other fields copied unchanged.
 */
type Arg = AvroType | FcnType;
const fieldsOf = (t: Arg | undefined): Set<string> =>
  new Set(t?.kind === 'record' ? t.fields.map((f) => f.name) : []);
const recordName = (t: Arg | undefined): string => (t as RecordType).fullName;
/** Checks for the fields the signature notation cannot require; returns the return type or a reason. */
const needs =
  (index: number, ...names: string[]) =>
  (args: readonly Arg[], _sig: number, ret: AvroType): AvroType | string => {
    const have = fieldsOf(args[index]);
    const missing = names.filter((n) => !have.has(n));
    return missing.length === 0 ? ret : `the state record needs field(s) ${missing.join(', ')}`;
  };
const update = (name: string, old: PfaRecord, changes: Record<string, Value>): PfaRecord =>
  makeRecord(name, { ...old, ...changes });

// ---------------------------------------------------------------- counters, means, variances

def(
  'stat.sample.update',
  'double, double, record A -> A',
  (i) => {
    const f = fieldsOf(i.args[2]);
    const name = recordName(i.args[2]);
    const withMean = f.has('mean');
    const withVariance = f.has('variance');
    return (x: number, w: number, s: PfaRecord) => {
      const count = s['count'] as number;
      const next = count + w;
      const changes: Record<string, Value> = { count: next };
      if (withMean) {
        // West's weighted incremental update: stable for a long stream, exact for the first sample.
        const mean = s['mean'] as number;
        const delta = x - mean;
        const newMean = mean + (w / next) * delta;
        changes['mean'] = newMean;
        if (withVariance)
          changes['variance'] = ((s['variance'] as number) * count + w * delta * (x - newMean)) / next;
      }
      return update(name, s, changes);
    };
  },
  (args, sig, ret) => {
    const r = needs(2, 'count')(args, sig, ret);
    if (typeof r === 'string') return r;
    return fieldsOf(args[2]).has('variance') && !fieldsOf(args[2]).has('mean')
      ? 'a state with "variance" needs "mean"'
      : ret;
  },
);

def(
  'stat.sample.updateCovariance',
  '[double], double, record A -> A',
  (i) => {
    const name = recordName(i.args[2]);
    const N = 'stat.sample.updateCovariance';
    return (x: number[], w: number, s: PfaRecord) => {
      const mean = s['mean'] as number[];
      const cov = s['covariance'] as number[][];
      if (x.length < 2) throw rtError(14011, 'too few components', N);
      if (mean.length !== x.length || cov.length !== x.length || cov.some((r) => r.length !== x.length))
        throw rtError(14012, 'unequal length arrays', N);
      const count = s['count'] as number;
      const next = count + w;
      const dx = x.map((v, k) => v - mean[k]!);
      const newMean = mean.map((m, k) => m + (w / next) * dx[k]!);
      const newCov = cov.map((r, a) =>
        r.map((c, b) => (c * count + ((w * count) / next) * dx[a]! * dx[b]!) / next),
      );
      return update(name, s, { count: next, mean: newMean, covariance: newCov });
    };
  },
  needs(2, 'count', 'mean', 'covariance'),
);

def(
  'stat.sample.updateEWMA',
  'double, double, record A -> A',
  (i) => {
    const name = recordName(i.args[2]);
    const withVariance = fieldsOf(i.args[2]).has('variance');
    return (x: number, alpha: number, s: PfaRecord) => {
      if (!(alpha >= 0 && alpha <= 1)) throw rtError(14030, 'alpha out of range', 'stat.sample.updateEWMA');
      const mean = s['mean'] as number;
      const diff = x - mean;
      const incr = alpha * diff;
      const changes: Record<string, Value> = { mean: mean + incr };
      if (withVariance) changes['variance'] = (1 - alpha) * ((s['variance'] as number) + diff * incr);
      return update(name, s, changes);
    };
  },
  needs(2, 'mean'),
);

const unit = (v: number, code: number, what: string, name: string) => {
  if (!(v >= 0 && v <= 1)) throw rtError(code, `${what} out of range`, name);
};

def(
  'stat.sample.updateHoltWinters',
  'double, double, double, record A -> A',
  (i) => {
    const name = recordName(i.args[3]);
    return (x: number, alpha: number, beta: number, s: PfaRecord) => {
      unit(alpha, 14040, 'alpha', 'stat.sample.updateHoltWinters');
      unit(beta, 14041, 'beta', 'stat.sample.updateHoltWinters');
      const level = s['level'] as number;
      const trend = s['trend'] as number;
      const a = alpha * x + (1 - alpha) * (level + trend);
      return update(name, s, { level: a, trend: beta * (a - level) + (1 - beta) * trend });
    };
  },
  needs(3, 'level', 'trend'),
);

def(
  'stat.sample.updateHoltWintersPeriodic',
  'double, double, double, double, record A -> A',
  (i) => {
    const name = recordName(i.args[4]);
    const N = 'stat.sample.updateHoltWintersPeriodic';
    return (x: number, alpha: number, beta: number, gamma: number, s: PfaRecord) => {
      unit(alpha, 14050, 'alpha', N);
      unit(beta, 14051, 'beta', N);
      unit(gamma, 14052, 'gamma', N);
      const cycle = s['cycle'] as number[];
      if (cycle.length === 0) throw rtError(14053, 'empty cycle', N);
      const level = s['level'] as number;
      const trend = s['trend'] as number;
      const c0 = cycle[0]!;
      const mult = s['multiplicative'] === true;
      const a = mult
        ? (alpha * x) / c0 + (1 - alpha) * (level + trend)
        : alpha * (x - c0) + (1 - alpha) * (level + trend);
      const b = beta * (a - level) + (1 - beta) * trend;
      const c = mult ? (gamma * x) / a + (1 - gamma) * c0 : gamma * (x - a) + (1 - gamma) * c0;
      // The cycle rotates left so its head is always the coefficient for the next time step.
      return update(name, s, { level: a, trend: b, cycle: [...cycle.slice(1), c] });
    };
  },
  needs(4, 'level', 'trend', 'cycle', 'multiplicative'),
);

function forecast(s: PfaRecord, periodic: boolean, n: number, code: number, name: string): number[] {
  const level = s['level'] as number;
  const trend = s['trend'] as number;
  const cycle = periodic ? (s['cycle'] as number[]) : [];
  if (periodic && cycle.length === 0) throw rtError(code, 'empty cycle', name);
  const mult = s['multiplicative'] === true;
  const out: number[] = [];
  for (let k = 1; k <= n; k++) {
    const base = level + k * trend;
    if (!periodic) out.push(base);
    else {
      const c = cycle[(k - 1) % cycle.length]!;
      out.push(mult ? base * c : base + c);
    }
  }
  return out;
}
const hwRefine = needs(0, 'level', 'trend');
def(
  'stat.sample.forecast1HoltWinters',
  'record A -> double',
  (i) => {
    const periodic = fieldsOf(i.args[0]).has('cycle');
    return (s: PfaRecord) => forecast(s, periodic, 1, 14060, 'stat.sample.forecast1HoltWinters')[0]!;
  },
  hwRefine,
);
def(
  'stat.sample.forecastHoltWinters',
  'int, record A -> [double]',
  (i) => {
    const periodic = fieldsOf(i.args[1]).has('cycle');
    return (n: number, s: PfaRecord) => forecast(s, periodic, n, 14070, 'stat.sample.forecastHoltWinters');
  },
  needs(1, 'level', 'trend'),
);

// ---------------------------------------------------------------- histograms and counters

def(
  'stat.sample.fillHistogram',
  ['double, double, record A -> A', 'double, double, record A -> A', 'double, double, record A -> A'],
  (i) => {
    const f = fieldsOf(i.args[2]);
    const name = recordName(i.args[2]);
    const N = 'stat.sample.fillHistogram';
    const mode = f.has('ranges') ? 'ranges' : f.has('binsize') ? 'growable' : 'fixed';
    return (x: number, w: number, h: PfaRecord) => {
      const values = [...(h['values'] as number[])];
      const changes: Record<string, Value> = { values };
      const bump = (field: string) => {
        if (f.has(field)) changes[field] = (h[field] as number) + w;
      };
      const outOfRange = (below: boolean) => {
        // Infinities go to infflow when the histogram has one, else to under/overflow like any other value.
        if (Number.isNaN(x)) bump('nanflow');
        else if (!Number.isFinite(x) && f.has('infflow')) bump('infflow');
        else bump(below ? 'underflow' : 'overflow');
      };
      if (mode === 'fixed') {
        const numbins = h['numbins'] as number;
        const low = h['low'] as number;
        const high = h['high'] as number;
        if (numbins < 1) throw rtError(14082, 'bad histogram scale', N);
        if (values.length !== numbins) throw rtError(14080, 'wrong histogram size', N);
        if (!(low < high)) throw rtError(14081, 'bad histogram range', N);
        if (Number.isNaN(x) || x < low || x >= high) outOfRange(x < low);
        else values[Math.min(numbins - 1, Math.floor((numbins * (x - low)) / (high - low)))]! += w;
      } else if (mode === 'growable') {
        const low = h['low'] as number;
        const binsize = h['binsize'] as number;
        if (!(binsize > 0)) throw rtError(14082, 'bad histogram scale', N);
        if (Number.isNaN(x) || !Number.isFinite(x) || x < low) outOfRange(x < low);
        else {
          const bin = Math.floor((x - low) / binsize);
          while (values.length <= bin) values.push(0);
          values[bin]! += w;
        }
      } else {
        const ranges = h['ranges'] as number[][];
        if (values.length !== ranges.length) throw rtError(14080, 'wrong histogram size', N);
        if (ranges.some((r) => r.length !== 2 || r[0]! > r[1]!))
          throw rtError(14083, 'bad histogram ranges', N);
        let hit = false;
        ranges.forEach(([lo, hi], k) => {
          if ((lo === hi && x === lo) || (x >= lo! && x < hi!)) {
            values[k]! += w;
            hit = true;
          }
        });
        if (!hit) outOfRange(ranges.every(([lo]) => x < lo!));
      }
      return update(name, h, changes);
    };
  },
  (args, sig, ret) => {
    const f = fieldsOf(args[2]);
    const ok = [
      ['numbins', 'low', 'high', 'values'],
      ['low', 'binsize', 'values'],
      ['ranges', 'values'],
    ][sig]!;
    if (!ok.every((n) => f.has(n))) return `the histogram record needs ${ok.join(', ')}`;
    // Each shape matches exactly one signature, so the overloads never compete.
    const shapes = [
      f.has('numbins'),
      f.has('binsize') && !f.has('numbins'),
      f.has('ranges') && !f.has('numbins') && !f.has('binsize'),
    ];
    return shapes[sig] ? ret : 'another histogram shape';
  },
);

def(
  'stat.sample.fillCounter',
  'string, double, record A -> A',
  (i) => {
    const name = recordName(i.args[2]);
    return (x: string, w: number, c: PfaRecord) => {
      const values = Object.assign(Object.create(null) as Record<string, number>, c['values']);
      values[x] = (values[x] ?? 0) + w;
      return update(name, c, { values });
    };
  },
  needs(2, 'values'),
);

fn(
  'stat.sample.topN',
  'A, [A], int, fn(A,A)->boolean -> [A]',
  (x: Value, top: Value[], n: number, lessThan: (a: Value, b: Value) => Value) => {
    // Inserted before the first element smaller than x, so equal elements already present keep precedence.
    const at = top.findIndex((e) => lessThan(e, x) === true);
    const out = at < 0 ? [...top, x] : [...top.slice(0, at), x, ...top.slice(at)];
    return out.slice(0, Math.max(0, n));
  },
);

// ---------------------------------------------------------------- change detection

def(
  'stat.change.updateTrigger',
  'boolean, record A -> A',
  (i) => {
    const name = recordName(i.args[1]);
    return (p: boolean, h: PfaRecord) => {
      let numEvents = h['numEvents'] as number;
      let numRuns = h['numRuns'] as number;
      let currentRun = h['currentRun'] as number;
      let longestRun = h['longestRun'] as number;
      if (numEvents < 0 || numRuns < 0 || currentRun < 0 || longestRun < 0)
        throw rtError(37000, 'counter out of range', 'stat.change.updateTrigger');
      if (p) {
        numEvents++;
        if (currentRun === 0) numRuns++;
        currentRun++;
        if (currentRun > longestRun) longestRun = currentRun;
      } else currentRun = 0;
      return update(name, h, { numEvents, numRuns, currentRun, longestRun });
    };
  },
  needs(1, 'numEvents', 'numRuns', 'currentRun', 'longestRun'),
);

def(
  'stat.change.zValue',
  ['double, record A -> double', 'double, record A, boolean -> double'],
  (i) =>
    i.sig === 0
      ? (x: number, mv: PfaRecord) => (x - (mv['mean'] as number)) / Math.sqrt(mv['variance'] as number)
      : (x: number, mv: PfaRecord, unbiased: boolean) => {
          const z = (x - (mv['mean'] as number)) / Math.sqrt(mv['variance'] as number);
          const count = mv['count'] as number;
          return unbiased ? z * Math.sqrt(count / (count - 1)) : z;
        },
  (args, sig, ret) =>
    (sig === 0 ? needs(1, 'mean', 'variance') : needs(1, 'count', 'mean', 'variance'))(args, sig, ret),
);

fn(
  'stat.change.updateCUSUM',
  'double, double, double -> double',
  (llr: number, last: number, reset: number) => Math.max(llr + last, reset),
);
