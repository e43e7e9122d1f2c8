import type {
  DataTypePolicy,
  ModelDescriptor,
  ModelStreamEvent,
  StoreSnapshot,
} from '@modelserving/contracts';
import { modelKey, notFound } from '@modelserving/model-core';
import type { PublishEvent } from './model-store';

/**
 * The current state implied by a prefix of the model stream: the fold of its events. Kept by the embedded
 * store; the Redis store keeps the same state in hashes.
 */
export class StoreState {
  private readonly models = new Map<string, ModelDescriptor>();
  private readonly policies = new Map<string, DataTypePolicy>();
  private suspended = false;
  private lastPosition = '';

  static fromSnapshot(snapshot: StoreSnapshot): StoreState {
    const state = new StoreState();
    for (const d of snapshot.models) state.models.set(modelKey(d.dataType, d.name), d);
    for (const p of snapshot.policies) state.policies.set(p.dataType, p);
    state.suspended = snapshot.suspended;
    state.lastPosition = snapshot.position;
    return state;
  }

  get position(): string {
    return this.lastPosition;
  }

  /** Rejects events that make no sense against this state (undeploying a model that is not deployed), so
   * every event in the stream is a real change. */
  check(event: PublishEvent): void {
    const u = event.undeploy;
    if (u !== undefined && !this.models.has(modelKey(u.dataType, u.name))) {
      throw notFound(`model ${modelKey(u.dataType, u.name)} is not deployed`);
    }
  }

  apply(event: ModelStreamEvent): void {
    if (event.deploy !== undefined)
      this.models.set(modelKey(event.deploy.dataType, event.deploy.name), event.deploy);
    else if (event.undeploy !== undefined)
      this.models.delete(modelKey(event.undeploy.dataType, event.undeploy.name));
    else if (event.policy !== undefined) this.policies.set(event.policy.dataType, event.policy);
    else if (event.suspended !== undefined) this.suspended = event.suspended;
    this.lastPosition = event.position;
  }

  /** Models sorted by key and policies by data type, so equal states give equal snapshots. */
  toSnapshot(): StoreSnapshot {
    return {
      models: [...this.models.entries()].sort(byKey).map(([, d]) => d),
      policies: [...this.policies.entries()].sort(byKey).map(([, p]) => p),
      suspended: this.suspended,
      position: this.lastPosition,
    };
  }
}

function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
