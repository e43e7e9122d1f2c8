import type { DataTypePolicy, ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';
import { modelKey } from '@modelserving/model-core';

/** What the router keeps of a deployed model: never its content. */
export interface ModelInfo {
  readonly key: string;
  readonly name: string;
  readonly dataType: string;
  readonly description: string;
  readonly modelType: number;
  /** Position of the deploy event (or of the snapshot that contained it). */
  readonly position: string;
}

/** The models and policy of one data type. `keys` is kept sorted so a speculative fan-out is stable. */
export class DataTypeEntry {
  readonly models = new Map<string, ModelInfo>();
  policy: DataTypePolicy | undefined;
  keys: string[] = [];

  constructor(readonly dataType: string) {}

  refreshKeys(): void {
    this.keys = [...this.models.values()].map((m) => m.key).sort();
  }
}

export type TableChangeListener = (dataType: string, key: string | undefined) => void;

/**
 * The routing table: data type → models, policies and the suspended flag, rebuilt from the store's snapshot
 * and kept current by its tail. Lookups are plain map reads on the hot path.
 */
export class RoutingTable {
  private readonly types = new Map<string, DataTypeEntry>();
  private readonly listeners: TableChangeListener[] = [];
  suspended = false;
  position = '';
  loaded = false;

  onChange(listener: TableChangeListener): void {
    this.listeners.push(listener);
  }

  dataType(dataType: string): DataTypeEntry | undefined {
    return this.types.get(dataType);
  }

  model(key: string): ModelInfo | undefined {
    const i = key.indexOf('/');
    if (i <= 0) return undefined;
    return this.types.get(key.slice(0, i))?.models.get(key.slice(i + 1));
  }

  dataTypes(): DataTypeEntry[] {
    return [...this.types.values()].sort((a, b) =>
      a.dataType < b.dataType ? -1 : a.dataType > b.dataType ? 1 : 0,
    );
  }

  /** Replaces everything with a snapshot (start, or after a gap in the tail). */
  load(snapshot: StoreSnapshot): void {
    const before = new Set<string>();
    for (const t of this.types.values()) for (const k of t.keys) before.add(k);
    this.types.clear();
    for (const d of snapshot.models)
      this.deploy(d.dataType, d.name, d.description, d.modelType, snapshot.position);
    for (const p of snapshot.policies) this.entry(p.dataType).policy = p;
    for (const t of this.types.values()) t.refreshKeys();
    this.suspended = snapshot.suspended;
    this.position = snapshot.position;
    this.loaded = true;
    // Everything may have changed: tell listeners about every key seen before or now.
    for (const t of this.types.values()) for (const k of t.keys) before.add(k);
    for (const k of before) this.emit(k.slice(0, k.indexOf('/')), k);
  }

  apply(event: ModelStreamEvent): void {
    if (event.deploy) {
      const d = event.deploy;
      const key = this.deploy(d.dataType, d.name, d.description, d.modelType, event.position);
      this.entry(d.dataType).refreshKeys();
      this.emit(d.dataType, key);
    } else if (event.undeploy) {
      const { dataType, name } = event.undeploy;
      const t = this.types.get(dataType);
      if (t && t.models.delete(name)) {
        t.refreshKeys();
        if (t.models.size === 0 && !t.policy) this.types.delete(dataType);
        this.emit(dataType, modelKey(dataType, name));
      }
    } else if (event.policy) {
      this.entry(event.policy.dataType).policy = event.policy;
      this.emit(event.policy.dataType, undefined);
    } else if (event.suspended !== undefined) {
      this.suspended = event.suspended;
    }
    if (event.position) this.position = event.position;
  }

  private deploy(
    dataType: string,
    name: string,
    description: string,
    modelType: number,
    position: string,
  ): string {
    const key = modelKey(dataType, name);
    this.entry(dataType).models.set(name, { key, name, dataType, description, modelType, position });
    return key;
  }

  private entry(dataType: string): DataTypeEntry {
    let t = this.types.get(dataType);
    if (!t) {
      t = new DataTypeEntry(dataType);
      this.types.set(dataType, t);
    }
    return t;
  }

  private emit(dataType: string, key: string | undefined): void {
    for (const l of this.listeners) l(dataType, key);
  }
}
