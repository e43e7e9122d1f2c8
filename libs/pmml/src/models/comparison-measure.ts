import { pmmlError } from '../errors';
import { child, enumAttr, numberAttr } from '../xml/element';
import type { XmlElement } from '../xml/xml-parser';

const DISTANCES = ['euclidean', 'squaredEuclidean', 'chebychev', 'cityBlock', 'minkowski'] as const;
const SIMILARITIES = ['simpleMatching', 'jaccard', 'tanimoto', 'binarySimilarity'] as const;
export const COMPARE_FUNCTIONS = ['absDiff', 'gaussSim', 'delta', 'equal'] as const;
export type CompareFunction = (typeof COMPARE_FUNCTIONS)[number];

/** Per-field settings of a comparison (ClusteringField / KNNInput). */
export interface ComparedField {
  readonly element: XmlElement;
  readonly weight: number;
  readonly compareFunction: CompareFunction | undefined;
  readonly similarityScale: number | undefined;
}

/**
 * A compiled ComparisonMeasure: `measure(x, present, y, adjust)` compares a record (with a presence mask
 * for missing values) against one reference vector. `adjust` rescales for skipped fields (the spec's
 * MissingValueWeights adjustment).
 */
export interface ComparisonMeasure {
  readonly kind: 'distance' | 'similarity';
  measure(x: Float64Array, present: Uint8Array, y: Float64Array, adjust: number): number;
  /** True when `a` is a better match than `b` (smaller distance / larger similarity). */
  better(a: number, b: number): boolean;
}

export function compileComparisonMeasure(
  measureEl: XmlElement,
  fields: readonly ComparedField[],
): ComparisonMeasure {
  const kind = enumAttr(measureEl, 'kind', ['distance', 'similarity'] as const);
  if (!kind) throw pmmlError(measureEl, "missing required attribute 'kind'");
  const metricEl = measureEl.children.find(
    (c) =>
      (DISTANCES as readonly string[]).includes(c.name) ||
      (SIMILARITIES as readonly string[]).includes(c.name),
  );
  if (!metricEl) throw pmmlError(measureEl, 'missing or unsupported measure element');
  const metric = metricEl.name;
  const p = metric === 'minkowski' ? numberAttr(metricEl, 'p-parameter', 2) : 2;
  const defaultCompare = enumAttr(measureEl, 'compareFunction', COMPARE_FUNCTIONS, 'absDiff');
  const n = fields.length;
  const weights = Float64Array.from(fields, (f) => f.weight);
  const compares = fields.map((f) => {
    if (child(f.element, 'Comparisons')) throw pmmlError(f.element, 'Comparisons matrices are not supported');
    const s = f.similarityScale;
    switch (f.compareFunction ?? defaultCompare) {
      case 'absDiff':
        return (x: number, y: number) => Math.abs(x - y);
      case 'gaussSim':
        if (s === undefined) throw pmmlError(f.element, "compareFunction 'gaussSim' needs similarityScale");
        return (x: number, y: number) => Math.exp((-Math.LN2 * (x - y) * (x - y)) / (s * s));
      case 'delta':
        return (x: number, y: number) => (x === y ? 0 : 1);
      case 'equal':
        return (x: number, y: number) => (x === y ? 1 : 0);
    }
  });
  const better = kind === 'distance' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;

  if (kind === 'distance') {
    return {
      kind,
      better,
      measure(x, present, y, adjust) {
        let acc = 0;
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const c = compares[i]!(x[i]!, y[i]!);
          if (metric === 'chebychev') acc = Math.max(acc, weights[i]! * c);
          else if (metric === 'cityBlock') acc += weights[i]! * c;
          else if (metric === 'minkowski') acc += weights[i]! * Math.pow(c, p);
          else acc += weights[i]! * c * c;
        }
        if (metric === 'euclidean') return Math.sqrt(acc * adjust);
        if (metric === 'minkowski') return Math.pow(acc * adjust, 1 / p);
        return acc * adjust;
      },
    };
  }
  const c = (name: string) => numberAttr(metricEl, name, 0);
  return {
    kind,
    better,
    // Binary similarities over 0/1 vectors: a = 1/1, b = 1/0, c = 0/1, d = 0/0 matches.
    measure(x, present, y) {
      let a = 0;
      let b = 0;
      let cc = 0;
      let d = 0;
      for (let i = 0; i < n; i++) {
        if (!present[i]) continue;
        const u = x[i] !== 0;
        const v = y[i] !== 0;
        if (u && v) a++;
        else if (u) b++;
        else if (v) cc++;
        else d++;
      }
      switch (metric) {
        case 'simpleMatching':
          return (a + d) / (a + b + cc + d);
        case 'jaccard':
          return a / (a + b + cc);
        case 'tanimoto':
          return (a + d) / (a + 2 * (b + cc) + d);
        default:
          return (
            (c('c11-parameter') * a +
              c('c10-parameter') * b +
              c('c01-parameter') * cc +
              c('c00-parameter') * d) /
            (c('d11-parameter') * a +
              c('d10-parameter') * b +
              c('d01-parameter') * cc +
              c('d00-parameter') * d)
          );
      }
    },
  };
}

export function comparedField(el: XmlElement, weightAttr = 'fieldWeight'): ComparedField {
  return {
    element: el,
    weight: numberAttr(el, weightAttr, 1),
    compareFunction: enumAttr(el, 'compareFunction', COMPARE_FUNCTIONS),
    similarityScale: numberAttr(el, 'similarityScale'),
  };
}
