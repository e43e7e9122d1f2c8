import type { ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';

/** An event as a publisher writes it: the store assigns `position` and `timestampMs`. */
export type PublishEvent = Omit<ModelStreamEvent, 'position' | 'timestampMs'>;

/**
 * The model stream and the state it implies (FLIP-23's model stream plus the checkpoint an executor restores
 * from). Implementations: embedded (in-process, optionally file-backed), Redis, and remote (gRPC to a process
 * hosting one of the others).
 */
export interface ModelStore {
  /** Appends an event (position/timestamp are assigned by the store) and updates the current state atomically. Returns the position. */
  publish(event: PublishEvent): Promise<string>;
  /** Current state: descriptors by model key (latest deploy not followed by undeploy), policies, suspended flag, and the position of the last event included. */
  snapshot(): Promise<StoreSnapshot>;
  /**
   * Events strictly after `after` ('' = from the beginning of what the stream keeps), in order, live until the
   * signal aborts or close() (the iteration then just ends). If events after `after` were trimmed away, throws
   * `StreamGapError` so the caller re-snapshots.
   */
  tail(after: string, signal?: AbortSignal): AsyncIterable<ModelStreamEvent>;
  /** Stores bytes under their content address `blob:sha256:<hex>` and returns it. */
  putBlob(data: Uint8Array): Promise<string>;
  /** The bytes of a blob; NOT_FOUND ServingError if absent. */
  getBlob(key: string): Promise<Uint8Array>;
  close(): Promise<void>;
}
