import { invalidArgument } from '@modelserving/model-core';
import {
  sameMembers,
  sortMembers,
  type ExecutorMember,
  type ExecutorMembership,
} from './executor-membership';

/**
 * A fixed list of executors (the `EXECUTORS` setting). register/deregister only change this process's
 * copy — there is nobody to tell — which keeps single-process setups and tests symmetric with Redis.
 */
export class StaticMembership implements ExecutorMembership {
  private list: ExecutorMember[];
  private readonly watchers = new Set<(members: ExecutorMember[]) => void>();
  private registered: string | undefined;

  constructor(list: readonly ExecutorMember[]) {
    const ids = new Set<string>();
    for (const m of list) {
      if (m.id === '' || m.address === '')
        throw invalidArgument(`executor '${m.id}' at '${m.address}': id and address are required`);
      if (ids.has(m.id)) throw invalidArgument(`executor id '${m.id}' is listed twice`);
      ids.add(m.id);
    }
    this.list = sortMembers(list.map((m) => ({ id: m.id, address: m.address })));
  }

  /** Parses `id=host:port,id=host:port` (or bare `host:port`, which then is its own id). */
  static parse(spec: string): StaticMembership {
    const members = spec
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0
          ? { id: entry, address: entry }
          : { id: entry.slice(0, eq).trim(), address: entry.slice(eq + 1).trim() };
      });
    return new StaticMembership(members);
  }

  async register(id: string, address: string): Promise<void> {
    this.registered = id;
    this.update([...this.list.filter((m) => m.id !== id), { id, address }]);
  }

  async deregister(): Promise<void> {
    const id = this.registered;
    if (id === undefined) return;
    this.registered = undefined;
    this.update(this.list.filter((m) => m.id !== id));
  }

  async members(): Promise<ExecutorMember[]> {
    return [...this.list];
  }

  watch(cb: (members: ExecutorMember[]) => void): () => void {
    this.watchers.add(cb);
    cb([...this.list]);
    return () => this.watchers.delete(cb);
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }

  private update(next: ExecutorMember[]): void {
    const sorted = sortMembers(next);
    if (sameMembers(sorted, this.list)) return;
    this.list = sorted;
    for (const cb of this.watchers) cb([...sorted]);
  }
}
