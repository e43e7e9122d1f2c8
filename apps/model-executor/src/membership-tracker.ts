import type { ExecutorMember, ExecutorMembership } from '@modelserving/model-store';
import { errorMessage, type Logger } from '@modelserving/service-kit';
import type { ModelSync } from './model-sync';

/**
 * Keeps ownership in line with the live member list: registers this executor (heartbeats are the
 * membership's job) and hands every member list the membership reports to ModelSync. Lists are applied
 * one at a time; lists arriving meanwhile collapse into the newest.
 */
export class MembershipTracker {
  private unwatch: (() => void) | undefined;
  private latest: readonly ExecutorMember[] | undefined;
  private applying: Promise<void> | undefined;
  private stopped = false;
  private registered = false;

  constructor(
    private readonly membership: ExecutorMembership,
    private readonly sync: ModelSync,
    private readonly self: ExecutorMember,
    private readonly log: Logger,
  ) {}

  /**
   * `register` false for a static list this executor does not own: registering would add this executor
   * to its local copy only, and its ownership would then disagree with the routers'.
   */
  async start(register: boolean): Promise<void> {
    if (register) {
      await this.membership.register(this.self.id, this.self.address);
      this.registered = true;
    }
    this.unwatch = this.membership.watch((members) => this.offer(members));
    this.offer(await this.membership.members());
    await this.applying;
  }

  private offer(members: readonly ExecutorMember[]): void {
    if (this.stopped) return;
    this.latest = members;
    this.applying ??= this.applyLoop();
  }

  private async applyLoop(): Promise<void> {
    try {
      while (this.latest && !this.stopped) {
        const members = this.latest;
        this.latest = undefined;
        try {
          await this.sync.membersChanged(members.map((m) => m.id));
        } catch (err) {
          this.log.warn('applying executor members failed', { error: errorMessage(err) });
        }
      }
    } finally {
      this.applying = undefined;
    }
  }

  /** Leaves the member list (routers move this executor's keys away); the membership stays open. */
  async deregister(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    this.unwatch = undefined;
    if (!this.registered) return;
    this.registered = false;
    try {
      await this.membership.deregister();
    } catch (err) {
      this.log.warn('deregistering failed', { error: errorMessage(err) });
    }
  }
}
