import type { ServingResult } from '@modelserving/contracts';
import { isSuccess, type Decider, type Verdict } from './decider';

/**
 * `first`: the first successful result wins, decided the moment it arrives. The response carries that
 * model's own confidence, if it reported one.
 */
export class FirstDecider implements Decider {
  readonly name = 'first';

  early(results: readonly ServingResult[]): Verdict | undefined {
    const last = results[results.length - 1];
    return last !== undefined && isSuccess(last) ? verdict(last) : undefined;
  }

  final(results: readonly ServingResult[]): Verdict | undefined {
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      if (isSuccess(r)) return verdict(r);
    }
    return undefined;
  }
}

function verdict(result: ServingResult): Verdict {
  return result.confidence !== undefined ? { result, confidence: result.confidence } : { result };
}
