import type { FeatureValue } from '@modelserving/model-core';
import { pmmlError, type ElementRef } from './errors';
import {
  coerce,
  defaultOpType,
  isDataType,
  isNumericType,
  OP_TYPES,
  type DataType,
  type OpType,
} from './values';
import { children, enumAttr, numberAttr, requiredAttr } from './xml/element';
import type { XmlElement } from './xml/xml-parser';

/** A numeric interval of a continuous field (DataField/Interval, Discretize bins). */
export interface Interval {
  readonly left: number;
  readonly right: number;
  readonly leftClosed: boolean;
  readonly rightClosed: boolean;
}

export function parseInterval(el: XmlElement): Interval {
  const closure = enumAttr(el, 'closure', ['openClosed', 'openOpen', 'closedOpen', 'closedClosed'] as const);
  if (!closure) throw pmmlError(el, "missing required attribute 'closure'");
  const left = numberAttr(el, 'leftMargin', -Infinity);
  const right = numberAttr(el, 'rightMargin', Infinity);
  if (left > right) throw pmmlError(el, `leftMargin ${left} is greater than rightMargin ${right}`);
  return { left, right, leftClosed: closure.startsWith('closed'), rightClosed: closure.endsWith('Closed') };
}

export function inInterval(iv: Interval, x: number): boolean {
  return (iv.leftClosed ? x >= iv.left : x > iv.left) && (iv.rightClosed ? x <= iv.right : x < iv.right);
}

/** A DataField: what a record value of this name means before any model-specific treatment. */
export interface DataFieldDef {
  readonly name: string;
  readonly dataType: DataType;
  readonly optype: OpType;
  /** Values with property="valid", typed, in declared order (categorical/ordinal domain). */
  readonly validValues: readonly FeatureValue[];
  readonly validSet: ReadonlySet<FeatureValue>;
  readonly invalidSet: ReadonlySet<FeatureValue>;
  /** Missing-value markers, both typed and as spelled (a double field may use "NA"). */
  readonly missingSet: ReadonlySet<FeatureValue>;
  readonly missingRaw: ReadonlySet<string>;
  readonly intervals: readonly Interval[];
  readonly displayValues: ReadonlyMap<FeatureValue, string>;
  /** The DataField's name and line (compiled models keep no XML). */
  readonly element: ElementRef;
}

export function parseDataType(el: XmlElement, name = 'dataType'): DataType | undefined {
  const v = el.attrs[name];
  if (v === undefined) return undefined;
  if (!isDataType(v)) throw pmmlError(el, `unsupported ${name} '${v}'`);
  return v;
}

export function requiredDataType(el: XmlElement, name = 'dataType'): DataType {
  const dt = parseDataType(el, name);
  if (!dt) throw pmmlError(el, `missing required attribute '${name}'`);
  return dt;
}

export function parseOpType(el: XmlElement): OpType | undefined {
  return enumAttr(el, 'optype', OP_TYPES);
}

export function parseDataField(el: XmlElement): DataFieldDef {
  const name = requiredAttr(el, 'name');
  const dataType = parseDataType(el) ?? 'string';
  const optype = parseOpType(el) ?? defaultOpType(dataType);
  const validValues: FeatureValue[] = [];
  const validSet = new Set<FeatureValue>();
  const invalidSet = new Set<FeatureValue>();
  const missingSet = new Set<FeatureValue>();
  const missingRaw = new Set<string>();
  const displayValues = new Map<FeatureValue, string>();
  for (const v of children(el, 'Value')) {
    const raw = requiredAttr(v, 'value');
    const property = enumAttr(v, 'property', ['valid', 'invalid', 'missing'] as const, 'valid');
    const typed = coerce(dataType, raw);
    if (property === 'missing') {
      missingRaw.add(raw);
      if (typed !== undefined && typed !== null) missingSet.add(typed);
      continue;
    }
    if (typed === undefined || typed === null) {
      throw pmmlError(v, `value '${raw}' is not a valid ${dataType}`);
    }
    if (property === 'invalid') invalidSet.add(typed);
    else if (!validSet.has(typed)) {
      validSet.add(typed);
      validValues.push(typed);
    }
    const display = v.attrs['displayValue'];
    if (display !== undefined) displayValues.set(typed, display);
  }
  const intervals = children(el, 'Interval').map(parseInterval);
  if (intervals.length > 0 && !isNumericType(dataType)) {
    throw pmmlError(el, `Interval is only allowed on numeric fields, not ${dataType}`);
  }
  return {
    name,
    dataType,
    optype,
    validValues,
    validSet,
    invalidSet,
    missingSet,
    missingRaw,
    intervals,
    displayValues,
    element: { name: el.name, line: el.line },
  };
}

export function parseDataDictionary(el: XmlElement): Map<string, DataFieldDef> {
  const fields = new Map<string, DataFieldDef>();
  for (const f of children(el, 'DataField')) {
    const def = parseDataField(f);
    if (fields.has(def.name)) throw pmmlError(f, `duplicate DataField '${def.name}'`);
    fields.set(def.name, def);
  }
  return fields;
}
