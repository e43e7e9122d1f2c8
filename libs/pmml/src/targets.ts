import type { FeatureValue } from '@modelserving/model-core';
import { pmmlError } from './errors';
import type { ModelResult, TargetInfo } from './models/model';
import { coerce } from './values';
import { children, enumAttr, numberAttr } from './xml/element';
import type { XmlElement } from './xml/xml-parser';

/** One Target element: post-processing of a model's prediction. */
export interface TargetSpec {
  readonly field: string | undefined;
  readonly castInteger?: 'round' | 'ceiling' | 'floor';
  readonly min?: number;
  readonly max?: number;
  readonly rescaleFactor: number;
  readonly rescaleConstant: number;
  readonly values: readonly {
    readonly value: FeatureValue;
    readonly displayValue?: string;
    readonly priorProbability?: number;
    readonly defaultValue?: number;
  }[];
}

export function parseTargets(el: XmlElement | undefined, target: TargetInfo): TargetSpec | undefined {
  if (!el) return undefined;
  const specs = children(el, 'Target');
  const t =
    specs.find((s) => s.attrs['field'] === target.name) ??
    specs.find((s) => s.attrs['field'] === undefined) ??
    (specs.length === 1 ? specs[0] : undefined);
  if (!t) return undefined;
  const castInteger = enumAttr(t, 'castInteger', ['round', 'ceiling', 'floor'] as const);
  const min = numberAttr(t, 'min');
  const max = numberAttr(t, 'max');
  return {
    field: t.attrs['field'],
    ...(castInteger ? { castInteger } : {}),
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    rescaleFactor: numberAttr(t, 'rescaleFactor', 1),
    rescaleConstant: numberAttr(t, 'rescaleConstant', 0),
    values: children(t, 'TargetValue').map((tv) => {
      const raw = tv.attrs['value'];
      const value = raw === undefined ? null : coerce(target.dataType, raw);
      if (value === undefined) throw pmmlError(tv, `value '${raw}' is not a valid ${target.dataType}`);
      const priorProbability = numberAttr(tv, 'priorProbability');
      const defaultValue = numberAttr(tv, 'defaultValue');
      const displayValue = tv.attrs['displayValue'];
      return {
        value,
        ...(displayValue !== undefined ? { displayValue } : {}),
        ...(priorProbability !== undefined ? { priorProbability } : {}),
        ...(defaultValue !== undefined ? { defaultValue } : {}),
      };
    }),
  };
}

/**
 * Compiles the regression post-processing: clip to [min, max], then rescale, then cast; a missing
 * prediction becomes TargetValue@defaultValue when one is given.
 */
export function regressionTargetTransform(spec: TargetSpec): (x: FeatureValue) => FeatureValue {
  const { min, max, rescaleFactor, rescaleConstant, castInteger } = spec;
  const dflt = spec.values.find((v) => v.defaultValue !== undefined)?.defaultValue;
  const identity =
    min === undefined && max === undefined && rescaleFactor === 1 && rescaleConstant === 0 && !castInteger;
  return (x) => {
    if (typeof x !== 'number') return x === null && dflt !== undefined ? dflt : x;
    if (identity) return x;
    let y = x;
    if (min !== undefined && y < min) y = min;
    if (max !== undefined && y > max) y = max;
    y = y * rescaleFactor + rescaleConstant;
    if (castInteger === 'round') y = Math.round(y);
    else if (castInteger === 'ceiling') y = Math.ceil(y);
    else if (castInteger === 'floor') y = Math.floor(y);
    return y;
  };
}

/**
 * For classification: when the model has no prediction, the TargetValue prior probabilities stand in
 * (the spec's "default" distribution).
 */
export function classificationPriors(
  spec: TargetSpec,
  categories: readonly FeatureValue[],
): ((r: ModelResult) => ModelResult) | undefined {
  const priors = spec.values.filter((v) => v.priorProbability !== undefined);
  if (priors.length === 0) return undefined;
  const probs = new Float64Array(categories.length);
  for (const p of priors) {
    const i = categories.indexOf(p.value);
    if (i >= 0) probs[i] = p.priorProbability!;
  }
  let best = -1;
  for (let i = 0; i < probs.length; i++) if (best < 0 || probs[i]! > probs[best]!) best = i;
  const value = best >= 0 ? categories[best]! : null;
  const fallback: ModelResult = { value, probabilities: probs };
  return (r) => (r.value === null ? fallback : r);
}
