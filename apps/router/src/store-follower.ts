import { StoreFollower as ModelStoreFollower, type FollowableStore } from '@modelserving/model-store';
import type { Logger } from '@modelserving/service-kit';
import type { RoutingTable } from './routing-table';

/**
 * The router's follower of the model store: the shared StoreFollower feeding the routing table, with the
 * router's name for waiting for the first snapshot.
 */
export class StoreFollower extends ModelStoreFollower {
  constructor(store: FollowableStore, table: RoutingTable, log: Logger) {
    super(store, table, { log });
  }

  /** Resolves true once the first snapshot is loaded, false after `timeoutMs`. */
  loaded(timeoutMs: number): Promise<boolean> {
    return this.whenLoaded(timeoutMs);
  }
}
