import type { ServingResult } from '@modelserving/contracts';
import { isSuccess, valueKey, type Decider, type Verdict } from './decider';

/**
 * `majority`: a vote over the successful results' values (compared by string form). It decides as soon
 * as one value holds more than half of the expected votes, since no later result can change that; at
 * all-arrived or the deadline the most frequent value wins, ties going to the value that arrived first.
 * Confidence is votes / expected models, so missing answers lower it.
 */
export class MajorityDecider implements Decider {
  readonly name = 'majority';

  early(results: readonly ServingResult[], expected: number): Verdict | undefined {
    const lastIndex = results.length - 1;
    const last = results[lastIndex];
    if (last === undefined || !isSuccess(last)) return undefined;
    // Only the newest value's count changed. With a handful of models a scan beats any map.
    const key = valueKey(last);
    let votes = 1;
    let firstIndex = lastIndex;
    for (let i = lastIndex - 1; i >= 0; i--) {
      const r = results[i]!;
      if (isSuccess(r) && valueKey(r) === key) {
        votes++;
        firstIndex = i;
      }
    }
    if (votes * 2 <= expected) return undefined;
    return { result: results[firstIndex]!, confidence: votes / expected, votes };
  }

  final(results: readonly ServingResult[], expected: number): Verdict | undefined {
    const tally = new Map<string, { votes: number; first: ServingResult }>();
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      if (!isSuccess(r)) continue;
      const key = valueKey(r);
      const t = tally.get(key);
      if (t === undefined) tally.set(key, { votes: 1, first: r });
      else t.votes++;
    }
    // Map order is first-arrival order, so a strict comparison keeps the earliest value on a tie.
    let best: { votes: number; first: ServingResult } | undefined;
    for (const t of tally.values()) if (best === undefined || t.votes > best.votes) best = t;
    if (best === undefined) return undefined;
    return { result: best.first, confidence: best.votes / Math.max(expected, 1), votes: best.votes };
  }
}
