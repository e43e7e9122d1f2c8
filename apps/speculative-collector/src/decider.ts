import type { ServingResult } from '@modelserving/contracts';

/** What a decider picked: one of the results, with the confidence the response should carry. */
export interface Verdict {
  readonly result: ServingResult;
  readonly confidence?: number;
  /** Results that agreed with the chosen one (voting deciders). */
  readonly votes?: number;
}

/**
 * Combines the results of several models scoring one record (the seed's speculative decider). Deciders
 * are stateless and shared by every request: they look at the results collected so far, in arrival
 * order, so nothing is allocated per result.
 */
export interface Decider {
  readonly name: string;
  /**
   * Called after each result arrived (the newest is last) while more are expected: the verdict when the
   * decider can decide already, otherwise undefined.
   */
  early(results: readonly ServingResult[], expected: number): Verdict | undefined;
  /**
   * Called when every expected result arrived or the deadline passed: the best verdict from what is
   * there, or undefined when no result succeeded (the collector then answers with an error).
   */
  final(results: readonly ServingResult[], expected: number): Verdict | undefined;
}

/** A result that counts as an answer: the model processed the record without an error. */
export function isSuccess(r: ServingResult): boolean {
  return r.processed && !r.error;
}

/**
 * The string form a result's value is compared by. Results without a single value (outputs or tensors
 * only) compare by their serialized outputs, which is rare and off the common path.
 */
export function valueKey(r: ServingResult): string {
  const v = r.value;
  if (v !== undefined) {
    if (v.number !== undefined) return String(v.number);
    if (v.string !== undefined) return v.string;
    if (v.boolean !== undefined) return v.boolean ? 'true' : 'false';
    return 'null';
  }
  if (r.tensors.length === 0 && Object.keys(r.outputs).length === 0) return 'null';
  return JSON.stringify([r.outputs, r.tensors]);
}
