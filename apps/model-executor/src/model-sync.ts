import type { ModelDescriptor as ProtoDescriptor, ModelStreamEvent } from '@modelserving/contracts';
import { modelKey, type ModelRegistry, type ModelStatus } from '@modelserving/model-core';
import type { StoreSink } from '@modelserving/model-store';
import { PendingContent, modelToServe } from './content-factory';
import { errorMessage, type Logger } from '@modelserving/service-kit';
import type { Ownership } from './ownership';

/** What the executor needs of a store snapshot. */
export interface SnapshotLike {
  readonly models: readonly ProtoDescriptor[];
  readonly position: string;
}

interface Desired {
  readonly descriptor: ProtoDescriptor;
  /** Position of the deploy event (or of the snapshot that first showed this version). */
  readonly position: string;
}

interface Unowned {
  lastUsed: number;
}

interface UnknownWait {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly timer: NodeJS.Timeout;
}

export interface ModelSyncOptions {
  readonly registry: ModelRegistry;
  readonly ownership: Ownership;
  readonly log: Logger;
  readonly ownershipGraceMs: number;
  readonly unknownKeyWaitMs: number;
  readonly startupWaitMs: number;
}

/** Keys handled per event-loop turn in bulk passes (snapshot, membership change), so scoring never stalls. */
const CHUNK = 1000;
const MAX_TOMBSTONES = 100_000;
/** Waits (startup, build, on-demand build, unknown key) before an item is answered with what there is. */
const MAX_WAIT_ROUNDS = 4;

/**
 * Keeps the registry in line with the model stream and with ownership. `desired` is the latest store
 * state for every key (owned or not, so an item for a key whose ownership just moved can be built on
 * demand); the registry holds the keys this executor owns plus keys built on demand or still in their
 * ownership grace period. It is the store follower's sink (load = reconcile, apply = applyEvent).
 */
export class ModelSync implements StoreSink {
  private readonly registry: ModelRegistry;
  private readonly ownership: Ownership;
  private readonly log: Logger;
  private readonly graceMs: number;
  private readonly unknownKeyWaitMs: number;
  private desired = new Map<string, Desired>();
  /** Position of the deploy event applied last per held key (ModelStatus.position). */
  private readonly deployPositions = new Map<string, string>();
  /** The latest build per key, until it settles. */
  private readonly building = new Map<string, Promise<void>>();
  /** The content placeholder of that build: its queue priority can be raised while it waits. */
  private readonly pendingContent = new Map<string, PendingContent>();
  /** Held keys this executor does not own, with their last use (dropped after the grace period). */
  private readonly unowned = new Map<string, Unowned>();
  /** Keys undeployed on the stream: answered NOT_FOUND at once instead of waiting for the stream. */
  private readonly tombstones = new Set<string>();
  private readonly unknownWaits = new Map<string, UnknownWait>();
  private applied = '';
  private syncedFlag = false;
  private readonly startupGate: Promise<void>;
  private openStartupGate!: () => void;
  private readonly syncedGate: Promise<void>;
  private openSyncedGate!: () => void;
  private readonly startupTimer: NodeJS.Timeout;
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(options: ModelSyncOptions) {
    this.registry = options.registry;
    this.ownership = options.ownership;
    this.log = options.log;
    this.graceMs = options.ownershipGraceMs;
    this.unknownKeyWaitMs = options.unknownKeyWaitMs;
    this.startupGate = new Promise<void>((resolve) => (this.openStartupGate = resolve));
    this.syncedGate = new Promise<void>((resolve) => (this.openSyncedGate = resolve));
    this.startupTimer = setTimeout(this.openStartupGate, options.startupWaitMs);
    this.startupTimer.unref();
    this.sweepTimer = setInterval(this.sweep, Math.min(5_000, Math.max(50, Math.floor(this.graceMs / 2))));
    this.sweepTimer.unref();
  }

  /** Model-stream position applied last. */
  get position(): string {
    return this.applied;
  }

  /** True once the first snapshot has been applied. */
  get synced(): boolean {
    return this.syncedFlag;
  }

  /** Resolves when the first snapshot has been applied. */
  whenSynced(): Promise<void> {
    return this.syncedGate;
  }

  /** Position of the last deploy applied to `key`; empty when the key is not held. */
  positionOf(key: string): string {
    return this.deployPositions.get(key) ?? '';
  }

  /** Resolves when the build in progress for `key` (if any) has settled. */
  async whenBuilt(key: string): Promise<void> {
    let b: Promise<void> | undefined;
    while ((b = this.building.get(key)) !== undefined) await b;
  }

  /** Whether the latest store state knows `key`. */
  knows(key: string): boolean {
    return this.desired.has(key);
  }

  get knownKeys(): number {
    return this.desired.size;
  }

  /** StoreSink: a snapshot from the store follower (start, or after a gap). */
  load(snapshot: SnapshotLike): Promise<void> {
    return this.reconcile(snapshot);
  }

  /** StoreSink: the next model-stream event. */
  apply(ev: ModelStreamEvent): void {
    this.applyEvent(ev);
  }

  /** Applies one model-stream event. Builds run in the background. */
  applyEvent(ev: ModelStreamEvent): void {
    if (ev.deploy) {
      const d = ev.deploy;
      if (!d.name || !d.dataType) {
        this.log.warn('ignoring a deploy event without model name or data type', { position: ev.position });
      } else {
        const key = modelKey(d.dataType, d.name);
        const entry: Desired = { descriptor: d, position: ev.position };
        this.desired.set(key, entry);
        this.tombstones.delete(key);
        if (this.registry.status(key) !== undefined) {
          this.deploy(key, entry, false);
        } else if (this.ownership.owns(key)) {
          this.deploy(key, entry, this.unknownWaits.has(key));
        }
        this.wakeUnknown(key);
      }
    } else if (ev.undeploy) {
      const key = modelKey(ev.undeploy.dataType, ev.undeploy.name);
      this.desired.delete(key);
      this.drop(key);
      if (this.tombstones.size >= MAX_TOMBSTONES) this.tombstones.clear();
      this.tombstones.add(key);
      this.wakeUnknown(key);
    }
    // Policies and the suspended flag are the router's concern.
    if (ev.position) this.applied = ev.position;
  }

  /**
   * Makes the registry match a snapshot: builds changed and newly owned keys, drops keys the store no
   * longer has. Used at start and after a gap in the stream.
   */
  async reconcile(snapshot: SnapshotLike): Promise<void> {
    const prev = this.desired;
    const next = new Map<string, Desired>();
    for (const d of snapshot.models) {
      if (!d.name || !d.dataType) continue;
      const key = modelKey(d.dataType, d.name);
      const old = prev.get(key);
      next.set(
        key,
        old && sameDescriptor(old.descriptor, d) ? old : { descriptor: d, position: snapshot.position },
      );
    }
    this.desired = next;
    this.applied = snapshot.position;
    for (const key of [...this.registry.keys()]) {
      if (!next.has(key)) this.drop(key);
    }
    let n = 0;
    for (const [key, entry] of next) {
      if (this.closed) return;
      // Re-read: the key may have been built on demand or changed by the stream while we yielded.
      if (this.desired.get(key) !== entry) continue;
      const held = this.registry.status(key) !== undefined;
      if (
        held
          ? prev.get(key) !== entry && this.deployPositions.get(key) !== entry.position
          : this.ownership.owns(key)
      ) {
        this.deploy(key, entry, false);
      }
      if (++n % CHUNK === 0) await yieldTurn();
    }
    if (!this.syncedFlag) {
      this.syncedFlag = true;
      clearTimeout(this.startupTimer);
      this.openStartupGate();
      this.openSyncedGate();
    }
    for (const key of [...this.unknownWaits.keys()]) this.wakeUnknown(key);
  }

  /** New live member list: builds newly owned keys, starts the grace period of keys no longer owned. */
  async membersChanged(ids: readonly string[]): Promise<void> {
    if (!this.ownership.setMembers(ids)) return;
    this.log.info('executor members', { members: this.ownership.memberIds });
    let n = 0;
    const now = Date.now();
    for (const [key, entry] of [...this.desired]) {
      if (this.closed) return;
      if (this.desired.get(key) !== entry) continue;
      const owned = this.ownership.owns(key);
      const held = this.registry.status(key) !== undefined;
      if (owned) {
        this.unowned.delete(key);
        if (!held) this.deploy(key, entry, false);
      } else if (held && !this.unowned.has(key)) {
        this.unowned.set(key, { lastUsed: now });
      }
      if (++n % CHUNK === 0) await yieldTurn();
    }
  }

  /**
   * Whether items for `key` can be scored now (undefined) or must wait for the returned promise: the
   * first snapshot, a build in progress, an on-demand build (ownership just moved here), or, for a key the
   * store does not know yet, a short wait for the model stream to catch up with the router. `round` counts
   * the waits the caller already did: waits are bounded, and an unknown key is waited for only once.
   */
  readiness(key: string, round: number): Promise<void> | undefined {
    if (this.registry.has(key)) {
      if (this.unowned.size > 0) this.touch(key);
      return undefined;
    }
    if (round >= MAX_WAIT_ROUNDS) return undefined;
    if (!this.syncedFlag) return this.startupGate;
    const building = this.building.get(key);
    if (building) {
      // Items wait for this model: build it before the backlog (a restart queues every owned model).
      this.pendingContent.get(key)?.promote();
      return building;
    }
    if (this.registry.status(key) !== undefined) return undefined; // failed; scoring reports why
    const entry = this.desired.get(key);
    if (entry) {
      this.log.debug('building on demand', { model: key });
      this.deploy(key, entry, true);
      return this.building.get(key);
    }
    if (round > 0 || this.tombstones.has(key) || this.unknownKeyWaitMs === 0) return undefined;
    return this.waitUnknown(key);
  }

  /** Stops timers and wakes everything waiting. */
  close(): void {
    this.closed = true;
    clearTimeout(this.startupTimer);
    clearInterval(this.sweepTimer);
    this.openStartupGate();
    for (const key of [...this.unknownWaits.keys()]) this.wakeUnknown(key);
  }

  private deploy(key: string, entry: Desired, urgent: boolean): void {
    this.deployPositions.set(key, entry.position);
    if (!this.ownership.owns(key) && !this.unowned.has(key)) this.unowned.set(key, { lastUsed: Date.now() });
    const model = modelToServe(entry.descriptor, urgent);
    if (model.content instanceof PendingContent) this.pendingContent.set(key, model.content);
    const done = this.registry.deploy(model).then(
      (status) => {
        if (this.building.get(key) === done) {
          this.building.delete(key);
          this.pendingContent.delete(key);
        }
        this.report(key, entry, status);
      },
      (err: unknown) => {
        if (this.building.get(key) === done) {
          this.building.delete(key);
          this.pendingContent.delete(key);
        }
        this.log.error('deploying a model failed', { model: key, error: errorMessage(err) });
      },
    );
    this.building.set(key, done);
  }

  private report(key: string, entry: Desired, status: ModelStatus): void {
    if (this.deployPositions.get(key) !== entry.position) return; // superseded
    if (status.error !== undefined) {
      this.log.warn('model failed to build', {
        model: key,
        position: entry.position,
        previousKeepsServing: status.state === 'SERVING',
        error: status.error,
      });
    } else if (status.state === 'SERVING') {
      this.log.debug('model serving', {
        model: key,
        generation: status.generation,
        position: entry.position,
      });
    }
  }

  private drop(key: string): void {
    this.registry.undeploy(key);
    this.deployPositions.delete(key);
    this.building.delete(key);
    this.pendingContent.delete(key);
    this.unowned.delete(key);
  }

  private touch(key: string): void {
    const u = this.unowned.get(key);
    if (u) u.lastUsed = Date.now();
  }

  private readonly sweep = (): void => {
    if (this.unowned.size === 0) return;
    const now = Date.now();
    for (const [key, u] of this.unowned) {
      if (this.ownership.owns(key)) {
        this.unowned.delete(key);
      } else if (now - u.lastUsed >= this.graceMs && !this.building.has(key)) {
        this.log.info('dropping a model no longer owned by this executor', { model: key });
        this.drop(key);
      }
    }
  };

  private waitUnknown(key: string): Promise<void> {
    const existing = this.unknownWaits.get(key);
    if (existing) return existing.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    const timer = setTimeout(() => this.wakeUnknown(key), this.unknownKeyWaitMs);
    timer.unref();
    this.unknownWaits.set(key, { promise, resolve, timer });
    return promise;
  }

  private wakeUnknown(key: string): void {
    const w = this.unknownWaits.get(key);
    if (!w) return;
    this.unknownWaits.delete(key);
    clearTimeout(w.timer);
    w.resolve();
  }
}

/** Same model version: every field the build depends on is equal. */
export function sameDescriptor(a: ProtoDescriptor, b: ProtoDescriptor): boolean {
  if (
    a.name !== b.name ||
    a.description !== b.description ||
    a.dataType !== b.dataType ||
    a.modelType !== b.modelType ||
    (a.location ?? '') !== (b.location ?? '')
  ) {
    return false;
  }
  const ad = a.data;
  const bd = b.data;
  if ((ad?.length ?? 0) !== (bd?.length ?? 0)) return false;
  if (ad && bd && ad.length > 0 && !Buffer.from(ad.buffer, ad.byteOffset, ad.byteLength).equals(bd))
    return false;
  const ak = Object.keys(a.metadata);
  if (ak.length !== Object.keys(b.metadata).length) return false;
  for (const k of ak) if (a.metadata[k] !== b.metadata[k]) return false;
  return true;
}

function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
