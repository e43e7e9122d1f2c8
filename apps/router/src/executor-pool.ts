import { rendezvousOwners } from '@modelserving/transport';
import type { JoinMode } from './config';
import { ExecutorConnection, type ConnectionListener } from './executor-connection';
import { ExecutorHealth } from './executor-health';
import type { Logger } from '@modelserving/service-kit';
import type { PendingEntry } from './route-request';
import type { RawResult } from './wire-codec';

export interface Member {
  readonly id: string;
  readonly address: string;
}

export interface ExecutorPoolOptions {
  readonly joinMode: JoinMode;
  readonly replicas: number;
  readonly maxBatch: number;
  readonly log: Logger;
  /** Watch each executor's health service and route only to SERVING ones. Default true. */
  readonly watchHealth?: boolean;
}

/**
 * One ExecutorConnection and one health watch per member, the live set (members whose Score stream is
 * ready AND whose health is SERVING: an executor still loading the model store after a restart, or
 * draining, gets no traffic; its keys go to the next owner as if it were down) and the choice of an
 * executor for a model key. Owners are computed over the live member ids with the same rendezvous hash as
 * the executors use, and cached per key until the live set changes.
 */
export class ExecutorPool implements ConnectionListener {
  private readonly conns = new Map<string, ExecutorConnection>();
  private readonly health = new Map<string, ExecutorHealth>();
  private live: ExecutorConnection[] = [];
  private liveIds: string[] = [];
  private readonly ownerCache = new Map<string, ExecutorConnection[]>();
  private closed = false;
  private readonly joinMode: JoinMode;
  private readonly replicas: number;

  constructor(
    private readonly listener: ConnectionListener,
    private readonly options: ExecutorPoolOptions,
  ) {
    this.joinMode = options.joinMode;
    this.replicas = options.replicas;
  }

  /** Applies a membership list: connects new members, closes those that left (their work moves on). */
  setMembers(members: readonly Member[]): void {
    if (this.closed) return;
    const wanted = new Map<string, string>();
    for (const m of members) wanted.set(m.id, m.address);
    const stale: ExecutorConnection[] = [];
    for (const [id, conn] of this.conns) {
      if (wanted.get(id) !== conn.address) stale.push(conn);
    }
    for (const conn of stale) {
      this.conns.delete(conn.id);
      this.health.get(conn.id)?.close();
      this.health.delete(conn.id);
    }
    for (const [id, address] of wanted) {
      if (this.conns.has(id)) continue;
      const conn = new ExecutorConnection(id, address, this, {
        maxBatch: this.options.maxBatch,
        log: this.options.log,
      });
      this.conns.set(id, conn);
      if (this.options.watchHealth !== false) {
        const health = new ExecutorHealth(id, address, {
          log: this.options.log,
          onChange: () => {
            if (this.conns.get(id) !== conn) return;
            this.recomputeLive();
            this.listener.onStateChange(conn);
          },
        });
        this.health.set(id, health);
        health.start();
      }
      this.options.log.info('executor joined', { executor: id, address });
      conn.start();
    }
    // Close after the new ones exist so items of a departed executor can be retried on their next owner.
    for (const conn of stale) {
      this.options.log.info('executor left', { executor: conn.id, address: conn.address });
      conn.close();
    }
    this.recomputeLive();
  }

  /** The executor for one item of `modelKey`: the owner (or, in partition mode, any executor) with the fewest outstanding items. */
  pick(modelKey: string, exclude?: ExecutorConnection): ExecutorConnection | undefined {
    const candidates = this.joinMode === 'partition' ? this.live : this.owners(modelKey);
    let best: ExecutorConnection | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      // Candidates come from the live set, which every stream or health change recomputes at once; only the
      // stream state is re-checked here (cheap), not the health map, since this runs for every item.
      if (c === exclude || c.state !== 'ready') continue;
      const load = c.outstanding;
      if (load < bestLoad) {
        best = c;
        bestLoad = load;
      }
    }
    return best;
  }

  /** Owners of a key over the live executors (partition mode: every live executor). */
  owners(modelKey: string): ExecutorConnection[] {
    if (this.joinMode === 'partition') return this.live;
    let owners = this.ownerCache.get(modelKey);
    if (owners === undefined) {
      owners = [];
      for (const id of rendezvousOwners(modelKey, this.liveIds, this.replicas)) {
        const c = this.conns.get(id);
        if (c) owners.push(c);
      }
      this.ownerCache.set(modelKey, owners);
    }
    return owners;
  }

  /** Score stream ready and health SERVING. */
  isLive(conn: ExecutorConnection): boolean {
    return conn.state === 'ready' && (this.health.get(conn.id)?.serving ?? true);
  }

  /** The health an executor last reported (SERVING, NOT_SERVING, UNKNOWN while not connected, ...). */
  healthOf(id: string): string {
    return this.health.get(id)?.statusName ?? 'NOT_WATCHED';
  }

  liveConnections(): readonly ExecutorConnection[] {
    return this.live;
  }

  connections(): ExecutorConnection[] {
    return [...this.conns.values()];
  }

  get liveCount(): number {
    return this.live.length;
  }

  /** Items in flight on all executor streams. */
  get outstanding(): number {
    let n = 0;
    for (const c of this.conns.values()) n += c.outstanding;
    return n;
  }

  close(): void {
    this.closed = true;
    const all = [...this.conns.values()];
    this.conns.clear();
    for (const h of this.health.values()) h.close();
    this.health.clear();
    this.recomputeLive();
    for (const c of all) c.close('router is stopping');
  }

  // ConnectionListener: keep the live set current, then let the router see the event.
  onStateChange(conn: ExecutorConnection): void {
    this.recomputeLive();
    this.listener.onStateChange(conn);
  }

  onResult(conn: ExecutorConnection, entry: PendingEntry, result: RawResult | undefined): void {
    this.listener.onResult(conn, entry, result);
  }

  onStreamLost(conn: ExecutorConnection, lost: Map<number, PendingEntry>, reason: string): void {
    this.listener.onStreamLost(conn, lost, reason);
  }

  private recomputeLive(): void {
    const live: ExecutorConnection[] = [];
    for (const c of this.conns.values()) if (this.isLive(c)) live.push(c);
    live.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const ids = live.map((c) => c.id);
    const same =
      ids.length === this.liveIds.length &&
      ids.every((id, i) => id === this.liveIds[i]) &&
      live.every((c, i) => c === this.live[i]);
    if (same) return;
    this.live = live;
    this.liveIds = ids;
    this.ownerCache.clear();
  }
}
