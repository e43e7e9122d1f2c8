import type { FeatureValue } from '@modelserving/model-core';

/**
 * Builds a record's `targets` / `outputs` objects. A model's result always has the same field names in the
 * same order, so instead of adding properties one by one (a chain of hidden-class transitions and keyed
 * stores per record) each evaluator gets a function whose body is one object literal with those names —
 * V8 then allocates it from a boilerplate with a fixed shape. This roughly halves the per-record cost of
 * small models (see tools/bench pmml).
 *
 * The only text spliced into the generated code is JSON.stringify of each field name (a valid, fully
 * escaped JavaScript string literal) and integer slot numbers, so a document cannot inject code. A field
 * named `__proto__` would set the literal's prototype instead of a property, so such models (and unusual
 * cases like very many fields) use the plain loop.
 */
export type ResultBuilder = (
  values: readonly FeatureValue[],
  stamps: Int32Array,
  epoch: number,
  value: FeatureValue,
) => Record<string, FeatureValue>;

export interface ResultEntry {
  readonly name: string;
  /** The slot holding the value, or undefined for the predicted value. */
  readonly slot?: number;
}

const MAX_GENERATED_FIELDS = 1000;

export function compileResultBuilder(entries: readonly ResultEntry[]): ResultBuilder {
  const safe =
    entries.length <= MAX_GENERATED_FIELDS &&
    entries.every((e) => e.name !== '__proto__' && (e.slot === undefined || Number.isInteger(e.slot)));
  if (safe) {
    // Later entries win on a repeated name, as with sequential assignment; keep the first position.
    const last = new Map<string, ResultEntry>();
    for (const e of entries) last.set(e.name, e);
    const parts = [...last.values()].map((e) =>
      e.slot === undefined
        ? `${JSON.stringify(e.name)}: value`
        : `${JSON.stringify(e.name)}: stamps[${e.slot}] === epoch ? values[${e.slot}] : null`,
    );
    return new Function(
      'values',
      'stamps',
      'epoch',
      'value',
      `'use strict'; return {${parts.join(', ')}};`,
    ) as ResultBuilder;
  }
  return (values, stamps, epoch, value) => {
    const out: Record<string, FeatureValue> = Object.create(null) as Record<string, FeatureValue>;
    for (const e of entries)
      out[e.name] =
        e.slot === undefined ? value : stamps[e.slot] === epoch ? (values[e.slot] as FeatureValue) : null;
    return out;
  };
}
