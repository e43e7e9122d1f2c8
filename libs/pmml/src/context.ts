import type { FeatureValue, Features } from '@modelserving/model-core';

/**
 * Per-evaluator scratch space for one record. Every field (input, derived, output, function parameter)
 * owns a slot index fixed at compile time; a slot holds its value for the current record when its stamp
 * equals the current epoch. Bumping the epoch invalidates every slot at once, so nothing is cleared or
 * allocated between records.
 */
export class EvalContext {
  features: Features = {};
  readonly values: FeatureValue[];
  readonly stamps: Int32Array;
  epoch = 1;
  /** Times a surrogate CompoundPredicate fell back to an alternative (trees apply missingValuePenalty). */
  surrogates = 0;

  constructor(size: number) {
    this.values = new Array<FeatureValue>(size).fill(null);
    this.stamps = new Int32Array(size);
  }

  /** Starts a new record. */
  begin(features: Features): void {
    this.features = features;
    if (++this.epoch >= 0x7fffffff) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
  }
}

/** Reads one field's value for the current record. */
export type Getter = (ctx: EvalContext) => FeatureValue;

/** A getter that computes its value once per record and keeps it in `slot`. */
export function cachedGetter(slot: number, compute: Getter): Getter {
  return (ctx) => {
    if (ctx.stamps[slot] === ctx.epoch) return ctx.values[slot] as FeatureValue;
    const v = compute(ctx);
    ctx.values[slot] = v;
    ctx.stamps[slot] = ctx.epoch;
    return v;
  };
}

/** A getter for a slot written by someone else (output fields): missing unless written this record. */
export function slotGetter(slot: number): Getter {
  return (ctx) => (ctx.stamps[slot] === ctx.epoch ? (ctx.values[slot] as FeatureValue) : null);
}

export function writeSlot(ctx: EvalContext, slot: number, v: FeatureValue): void {
  ctx.values[slot] = v;
  ctx.stamps[slot] = ctx.epoch;
}
