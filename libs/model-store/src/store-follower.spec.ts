import type { ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedModelStore } from './embedded-model-store';
import { StoreFollower, type FollowableStore, type StoreSink } from './store-follower';
import { ScriptedStore } from './scripted-store';
import { StreamGapError } from './stream-gap-error';
import { descriptor } from './test-support/fixtures';

/** Records what the follower hands it, as "load@pos" / "apply@pos". */
class RecordingSink implements StoreSink {
  readonly calls: string[] = [];
  load(snapshot: StoreSnapshot): void {
    this.calls.push(`load@${snapshot.position}`);
  }
  apply(event: ModelStreamEvent): void {
    this.calls.push(`apply@${event.position}`);
  }
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

function follow(store: FollowableStore, sink: StoreSink): StoreFollower {
  const follower = new StoreFollower(store, sink, { backoff: { initialMs: 5, maxMs: 20 } });
  stops.push(() => follower.stop());
  follower.start();
  return follower;
}

const snap = (position: string): StoreSnapshot => ({ models: [], policies: [], suspended: false, position });
const ev = (position: string): ModelStreamEvent => ({
  position,
  timestampMs: 0,
  deploy: descriptor(position),
});

describe('StoreFollower', () => {
  it('loads a snapshot, tails from its position, and takes a fresh snapshot after a gap or a failing store', async () => {
    const store = new ScriptedStore();
    store.failSnapshots = 2;
    store.snapshots.push(snap('1-1'), snap('1-9'));
    store.tails.push({ events: [ev('1-2'), ev('1-3')], fail: new StreamGapError('1-3', 'trimmed') });
    const sink = new RecordingSink();
    const follower = follow(store, sink);

    expect(await follower.waitFor('1-9', 5_000)).toBe(true);
    expect(sink.calls).toEqual(['load@1-1', 'apply@1-2', 'apply@1-3', 'load@1-9']);
    expect(store.tailAfter).toEqual(['1-1', '1-9']);
    expect(store.snapshotCalls).toBe(4);
    expect(follower.snapshotCount).toBe(2);
    expect(follower.position).toBe('1-9');
  });

  it('takes a new snapshot when a tail ends without being asked to', async () => {
    const store = new ScriptedStore();
    store.snapshots.push(snap('1-1'), snap('1-5'));
    const ended = store.tail.bind(store);
    let calls = 0;
    // The first tail ends (the server went away) instead of hanging.
    store.tail = async function* (after, signal) {
      if (calls++ === 0) {
        store.tailAfter.push(after);
        yield ev('1-2');
        return;
      }
      yield* ended(after, signal);
    };
    const sink = new RecordingSink();
    const follower = follow(store, sink);
    expect(await follower.waitFor('1-5', 5_000)).toBe(true);
    expect(sink.calls).toEqual(['load@1-1', 'apply@1-2', 'load@1-5']);
  });

  it('whenLoaded and waitFor resolve false on timeout or stop, true once reached', async () => {
    const store = new ScriptedStore();
    store.failSnapshots = 1_000_000;
    const follower = follow(store, new RecordingSink());
    expect(await follower.whenLoaded(30)).toBe(false);
    const waiting = follower.waitFor('1-1', 10_000);
    await follower.stop();
    expect(await waiting).toBe(false);

    const real = await EmbeddedModelStore.open();
    stops.push(() => real.close());
    const p1 = await real.publish({ deploy: descriptor('a') });
    const sink = new RecordingSink();
    const live = follow(real, sink);
    expect(await live.whenLoaded(5_000)).toBe(true);
    expect(await live.waitFor(p1, 1_000)).toBe(true);
    const p2 = await real.publish({ deploy: descriptor('b') });
    expect(await live.waitFor(p2, 5_000)).toBe(true);
    expect(sink.calls).toEqual([`load@${p1}`, `apply@${p2}`]);
    expect(await live.waitFor('99999999999999-0', 30)).toBe(false);
  });
});
