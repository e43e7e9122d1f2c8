/** A live executor as the router sees it. */
export interface ExecutorMember {
  readonly id: string;
  /** `host:port` of its ModelExecutorService. */
  readonly address: string;
}

/**
 * How the router learns which executors are alive (and so which executor owns which model key). Executors
 * register themselves; the router reads or watches the list.
 */
export interface ExecutorMembership {
  /** Announces this process as `id` at `address` and keeps the announcement alive (heartbeat). */
  register(id: string, address: string): Promise<void>;
  /** Withdraws this process's announcement at once (graceful shutdown). No-op when not registered. */
  deregister(): Promise<void>;
  /** Live members sorted by id. */
  members(): Promise<ExecutorMember[]>;
  /** Calls `cb` with the current members now and after every change; returns the unsubscribe function. */
  watch(cb: (members: ExecutorMember[]) => void): () => void;
  close(): Promise<void>;
}

/** Equal member lists (both sorted by id). */
export function sameMembers(a: readonly ExecutorMember[], b: readonly ExecutorMember[]): boolean {
  return a.length === b.length && a.every((m, i) => m.id === b[i]?.id && m.address === b[i]?.address);
}

export function sortMembers(members: Iterable<ExecutorMember>): ExecutorMember[] {
  return [...members].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}
