import { rendezvousOwners } from '@modelserving/transport';
import type { JoinMode } from './config';

/**
 * Which model keys this executor builds. Key mode: the keys for which it is among the rendezvous owners
 * over the live members (the same computation as the router's). Partition mode: every key.
 */
export class Ownership {
  private members: readonly string[] = [];

  constructor(
    readonly selfId: string,
    readonly joinMode: JoinMode,
    readonly replicas: number,
  ) {}

  get memberIds(): readonly string[] {
    return this.members;
  }

  /** Sets the live member ids; returns whether they changed. */
  setMembers(ids: readonly string[]): boolean {
    const next = [...new Set(ids)].sort();
    if (next.length === this.members.length && next.every((id, i) => id === this.members[i])) return false;
    this.members = next;
    return true;
  }

  owns(key: string): boolean {
    if (this.joinMode === 'partition') return true;
    return rendezvousOwners(key, this.members, this.replicas).includes(this.selfId);
  }
}
