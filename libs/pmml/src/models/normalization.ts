import { stdNormalCdf } from '../transformations/builtin-functions';

/**
 * Inverse link / normalization functions shared by RegressionModel, GeneralRegressionModel and
 * NeuralNetwork. Each maps a linear predictor to a probability-like value.
 */
export const logit = (y: number): number => 1 / (1 + Math.exp(-y));
export const probit = (y: number): number => stdNormalCdf(y);
export const cloglog = (y: number): number => 1 - Math.exp(-Math.exp(y));
export const loglog = (y: number): number => Math.exp(-Math.exp(-y));
export const cauchit = (y: number): number => 0.5 + Math.atan(y) / Math.PI;

export type Normalization =
  'none' | 'simplemax' | 'softmax' | 'logit' | 'probit' | 'cloglog' | 'exp' | 'loglog' | 'cauchit';
export const NORMALIZATIONS: readonly Normalization[] = [
  'none',
  'simplemax',
  'softmax',
  'logit',
  'probit',
  'cloglog',
  'exp',
  'loglog',
  'cauchit',
];

/** The inverse link for a single value (regression normalization; binary classification). */
export function unaryNormalization(method: Normalization): ((y: number) => number) | undefined {
  switch (method) {
    case 'logit':
    case 'softmax':
      return logit;
    case 'probit':
      return probit;
    case 'cloglog':
      return cloglog;
    case 'loglog':
      return loglog;
    case 'cauchit':
      return cauchit;
    case 'exp':
      return Math.exp;
    default:
      return undefined;
  }
}

/** softmax in place; shifts by the maximum only when plain exponentials would overflow (keeps exact parity otherwise). */
export function softmaxInPlace(xs: Float64Array | number[], n = xs.length): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (xs[i]! > max) max = xs[i]!;
  const shift = max > 700 ? max : 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    xs[i] = Math.exp(xs[i]! - shift);
    sum += xs[i]!;
  }
  for (let i = 0; i < n; i++) xs[i] = xs[i]! / sum;
}

export function simplemaxInPlace(xs: Float64Array | number[], n = xs.length): void {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += xs[i]!;
  for (let i = 0; i < n; i++) xs[i] = xs[i]! / sum;
}
