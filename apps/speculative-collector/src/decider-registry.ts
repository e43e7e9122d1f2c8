import type { Decider } from './decider';
import { FirstDecider } from './first-decider';
import { MajorityDecider } from './majority-decider';

/** The decider used when an expectation names none. */
export const DEFAULT_DECIDER = 'first';

/** Deciders by name (case-insensitive); the built-in `first` and `majority` plus any registered. */
export class DeciderRegistry {
  private readonly byName = new Map<string, Decider>();

  constructor(deciders: readonly Decider[] = [new FirstDecider(), new MajorityDecider()]) {
    for (const d of deciders) this.register(d);
  }

  register(decider: Decider): void {
    this.byName.set(decider.name.toLowerCase(), decider);
  }

  /** The decider for `name` (empty → the default), or undefined when unknown. */
  get(name: string): Decider | undefined {
    // Router policies are already lower case; only fall back to normalizing when the exact name misses.
    return this.byName.get(name || DEFAULT_DECIDER) ?? this.byName.get(name.trim().toLowerCase());
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
