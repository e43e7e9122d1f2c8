import type { FeatureValue } from '@modelserving/model-core';
import { cachedGetter, type Getter } from './context';
import { inInterval, parseOpType, type DataFieldDef } from './data-dictionary';
import { pmmlError, recordError, type ElementRef } from './errors';
import type { CompileEnv, FieldDef } from './scope';
import { coerce, coercer, formatNumber, isNumericType, toText, type DataType, type OpType } from './values';
import { children, enumAttr, numberAttr, parseNumber, requiredAttr } from './xml/element';
import type { XmlElement } from './xml/xml-parser';

export const USAGE_TYPES = [
  'active',
  'predicted',
  'target',
  'supplementary',
  'group',
  'order',
  'frequencyWeight',
  'analysisWeight',
] as const;
export type UsageType = (typeof USAGE_TYPES)[number];

const OUTLIERS = ['asIs', 'asMissingValues', 'asExtremeValues'] as const;
const MISSING_TREATMENTS = ['asIs', 'asMean', 'asMode', 'asMedian', 'asValue', 'returnInvalid'] as const;
const INVALID_TREATMENTS = ['returnInvalid', 'asIs', 'asMissing', 'asValue'] as const;

export interface MiningFieldDef {
  readonly name: string;
  readonly usageType: UsageType;
  readonly optype?: OpType;
  readonly outliers: (typeof OUTLIERS)[number];
  readonly lowValue?: number;
  readonly highValue?: number;
  readonly missingValueReplacement?: string;
  readonly missingValueTreatment?: (typeof MISSING_TREATMENTS)[number];
  readonly invalidValueTreatment: (typeof INVALID_TREATMENTS)[number];
  readonly invalidValueReplacement?: string;
  /** The MiningField's name and line, for messages (compiled models keep no XML). */
  readonly element: ElementRef;
}

export function parseMiningSchema(el: XmlElement): MiningFieldDef[] {
  const seen = new Set<string>();
  return children(el, 'MiningField').map((f) => {
    const name = requiredAttr(f, 'name');
    if (seen.has(name)) throw pmmlError(f, `duplicate MiningField '${name}'`);
    seen.add(name);
    const outliers = enumAttr(f, 'outliers', OUTLIERS, 'asIs');
    const lowValue = numberAttr(f, 'lowValue');
    const highValue = numberAttr(f, 'highValue');
    if (outliers !== 'asIs' && lowValue === undefined && highValue === undefined) {
      throw pmmlError(f, `outliers='${outliers}' needs lowValue and/or highValue`);
    }
    const optype = parseOpType(f);
    const missingValueReplacement = f.attrs['missingValueReplacement'];
    const missingValueTreatment = enumAttr(f, 'missingValueTreatment', MISSING_TREATMENTS);
    const invalidValueReplacement = f.attrs['invalidValueReplacement'];
    return {
      name,
      usageType: enumAttr(f, 'usageType', USAGE_TYPES, 'active'),
      ...(optype ? { optype } : {}),
      outliers,
      ...(lowValue !== undefined ? { lowValue } : {}),
      ...(highValue !== undefined ? { highValue } : {}),
      ...(missingValueReplacement !== undefined ? { missingValueReplacement } : {}),
      ...(missingValueTreatment ? { missingValueTreatment } : {}),
      invalidValueTreatment: enumAttr(f, 'invalidValueTreatment', INVALID_TREATMENTS, 'returnInvalid'),
      ...(invalidValueReplacement !== undefined ? { invalidValueReplacement } : {}),
      element: { name: f.name, line: f.line },
    };
  });
}

export function isTargetUsage(u: UsageType): boolean {
  return u === 'target' || u === 'predicted';
}

/** True when a MiningField asks for anything beyond the defaults (so a nested model must re-treat). */
export function hasTreatment(mf: MiningFieldDef): boolean {
  return (
    mf.outliers !== 'asIs' ||
    mf.missingValueReplacement !== undefined ||
    mf.missingValueTreatment === 'returnInvalid' ||
    mf.invalidValueReplacement !== undefined
  );
}

function replacementValue(
  mf: MiningFieldDef,
  dataType: DataType,
  raw: string | undefined,
  what: string,
): FeatureValue {
  if (raw === undefined) return null;
  const v = coerce(dataType, raw);
  if (v === undefined || v === null)
    throw pmmlError(mf.element, `${what} '${raw}' is not a valid ${dataType}`);
  return v;
}

function describe(raw: unknown): string {
  if (typeof raw === 'string') return `'${raw.length > 64 ? raw.slice(0, 64) + '…' : raw}'`;
  if (typeof raw === 'number') return formatNumber(raw);
  return typeof raw === 'object' ? (JSON.stringify(raw)?.slice(0, 64) ?? String(raw)) : String(raw);
}

/**
 * Compiles the treatment of one input field: record value → typed value, then the DataDictionary's
 * validity (Value lists, Intervals, missing markers), then the MiningField's outlier, invalid-value and
 * missing-value treatments. The result is one closure per field, run at most once per record.
 */
export function compileInputTreatment(
  df: DataFieldDef,
  mf: MiningFieldDef | undefined,
): (raw: unknown) => FeatureValue {
  return inputTreatment(df, mf).treat;
}

function inputTreatment(
  df: DataFieldDef,
  mf: MiningFieldDef | undefined,
): { treat: (raw: unknown) => FeatureValue; plainDouble: boolean } {
  const { name, dataType, validSet, invalidSet, missingSet, missingRaw, intervals } = df;
  const categorical = df.optype !== 'continuous' && (mf?.optype ?? df.optype) !== 'continuous';
  // Continuous fields are restricted only by their Intervals (a valid Value list merely adds points).
  const checkValid = categorical ? validSet.size > 0 : intervals.length > 0;
  const invalidTreatment = mf?.invalidValueTreatment ?? 'returnInvalid';
  const missingReplacement = mf
    ? replacementValue(mf, dataType, mf.missingValueReplacement, 'missingValueReplacement')
    : null;
  const invalidReplacement = mf
    ? replacementValue(mf, dataType, mf.invalidValueReplacement, 'invalidValueReplacement')
    : null;
  const missingIsInvalid = mf?.missingValueTreatment === 'returnInvalid' && missingReplacement === null;
  const numeric = isNumericType(dataType);
  const outliers = numeric ? (mf?.outliers ?? 'asIs') : 'asIs';
  const low = mf?.lowValue ?? -Infinity;
  const high = mf?.highValue ?? Infinity;
  const hasMissingMarkers = missingRaw.size > 0;

  const onMissing = (): FeatureValue => {
    if (missingIsInvalid)
      throw recordError(`field '${name}' is missing and its missingValueTreatment is returnInvalid`);
    return missingReplacement;
  };
  const onInvalid = (raw: unknown, typed: FeatureValue | undefined): FeatureValue => {
    switch (invalidTreatment) {
      case 'returnInvalid':
        throw recordError(
          `field '${name}': invalid value ${describe(raw)} for ${df.optype} ${dataType} field`,
        );
      case 'asIs':
        // A value that could not even be converted has no typed form to keep: treat it as missing.
        return typed === undefined || typed === null ? onMissing() : typed;
      case 'asMissing':
        return onMissing();
      case 'asValue':
        return invalidReplacement;
    }
  };

  const conv = coercer(dataType);
  let numericCategories: Map<number, FeatureValue> | undefined;
  if (dataType === 'string' && categorical) {
    for (const c of df.validValues) {
      const n = typeof c === 'string' ? parseNumber(c) : undefined;
      if (n !== undefined && String(n) !== c) (numericCategories ??= new Map()).set(n, c);
    }
  }
  const general = (raw: unknown): FeatureValue => {
    if (raw === null || raw === undefined || typeof raw === 'function') return onMissing();
    if (hasMissingMarkers && typeof raw === 'string' && missingRaw.has(raw)) return onMissing();
    let v = conv(raw);
    // A number sent for a string category spelled "1.0" still finds it (JSON clients send numbers).
    if (typeof raw === 'number' && numericCategories && typeof v === 'string' && !validSet.has(v)) {
      v = numericCategories.get(raw) ?? v;
    }
    if (v === null) return onMissing();
    if (v === undefined) return onInvalid(raw, v);
    if (missingSet.size > 0 && missingSet.has(v)) return onMissing();
    if (invalidSet.size > 0 && invalidSet.has(v)) return onInvalid(raw, v);
    if (checkValid && !validSet.has(v)) {
      if (categorical || !numeric) return onInvalid(raw, v);
      let ok = false;
      for (const iv of intervals) {
        if (inInterval(iv, v as number)) {
          ok = true;
          break;
        }
      }
      if (!ok) return onInvalid(raw, v);
    }
    if (outliers !== 'asIs') {
      const x = v as number;
      if (x < low) return outliers === 'asMissingValues' ? onMissing() : low;
      if (x > high) return outliers === 'asMissingValues' ? onMissing() : high;
    }
    return v;
  };
  // The common case — a double with no domain restrictions given a number — skips every check.
  if (
    dataType === 'double' &&
    !checkValid &&
    missingSet.size === 0 &&
    invalidSet.size === 0 &&
    outliers === 'asIs'
  ) {
    return {
      treat: (raw) => (typeof raw === 'number' && raw === raw ? raw : general(raw)),
      plainDouble: true,
    };
  }
  return { treat: general, plainDouble: false };
}

/** The FieldDef of a data field as prepared by a model's MiningSchema (top-level model). */
export function inputFieldDef(df: DataFieldDef, mf: MiningFieldDef | undefined, env: CompileEnv): FieldDef {
  const { treat, plainDouble } = inputTreatment(df, mf);
  const name = df.name;
  const slot = env.allocSlot();
  const get: Getter = cachedGetter(slot, (ctx) => treat(ctx.features[name]));
  return {
    name,
    dataType: df.dataType,
    optype: mf?.optype ?? df.optype,
    get,
    ...(df.validValues.length > 0 ? { values: df.validValues } : {}),
    ...(df.displayValues.size > 0 ? { displayValues: df.displayValues } : {}),
    input: { name, treat, plainDouble },
  };
}

/**
 * A nested model's MiningField over a field its parent already prepared: only outliers and missing
 * replacement can still change anything (validity was decided at the top).
 */
export function retreatedFieldDef(parent: FieldDef, mf: MiningFieldDef, env: CompileEnv): FieldDef {
  const missingReplacement = replacementValue(
    mf,
    parent.dataType,
    mf.missingValueReplacement,
    'missingValueReplacement',
  );
  const numeric = isNumericType(parent.dataType);
  const outliers = numeric ? mf.outliers : 'asIs';
  const low = mf.lowValue ?? -Infinity;
  const high = mf.highValue ?? Infinity;
  const missingIsInvalid = mf.missingValueTreatment === 'returnInvalid' && missingReplacement === null;
  const get0 = parent.get;
  const name = parent.name;
  const slot = env.allocSlot();
  const get = cachedGetter(slot, (ctx) => {
    const v = get0(ctx);
    if (v === null) {
      if (missingIsInvalid)
        throw recordError(`field '${name}' is missing and its missingValueTreatment is returnInvalid`);
      return missingReplacement;
    }
    if (outliers !== 'asIs' && typeof v === 'number') {
      if (v < low) return outliers === 'asMissingValues' ? missingReplacement : low;
      if (v > high) return outliers === 'asMissingValues' ? missingReplacement : high;
    }
    return v;
  });
  const { input: _input, ...rest } = parent;
  return { ...rest, optype: mf.optype ?? parent.optype, get };
}

/** For messages: a short printable form of a value. */
export function showValue(v: FeatureValue): string {
  return v === null ? 'missing' : (toText(v) ?? '');
}
