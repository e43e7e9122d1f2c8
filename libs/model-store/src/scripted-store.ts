import type { ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';
import type { FollowableStore } from './store-follower';

/**
 * Test double of the part of a store a StoreFollower reads: snapshots are served in order, and each
 * `tail()` call plays the next script (its events, then its error, or a hang until aborted). Shipped with
 * the library so every follower's tests script failures the same way.
 */
export class ScriptedStore implements FollowableStore {
  snapshots: StoreSnapshot[] = [];
  tails: { events: ModelStreamEvent[]; fail?: Error }[] = [];
  /** The position each tail() was asked to start after. */
  readonly tailAfter: string[] = [];
  snapshotCalls = 0;
  /** The next this-many snapshot() calls fail. */
  failSnapshots = 0;

  async snapshot(): Promise<StoreSnapshot> {
    this.snapshotCalls++;
    if (this.failSnapshots > 0) {
      this.failSnapshots--;
      throw new Error('store down');
    }
    return this.snapshots.shift() ?? { models: [], policies: [], suspended: false, position: '' };
  }

  async *tail(after: string, signal?: AbortSignal): AsyncIterable<ModelStreamEvent> {
    this.tailAfter.push(after);
    const script = this.tails.shift();
    if (script) {
      for (const ev of script.events) yield ev;
      if (script.fail) throw script.fail;
    }
    await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
  }
}
