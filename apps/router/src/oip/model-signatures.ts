import { ModelStatus_State, type ModelStatus } from '@modelserving/contracts';
import { unavailable } from '@modelserving/model-core';
import type { RouterConfig } from '../config';
import type { RequestRouter } from '../request-router';
import type { RoutingTable } from '../routing-table';
import { queryStatuses, statusOf } from '../status-query';

const STATUS_TIMEOUT_MS = 5_000;

/**
 * The status (signature, type) of serving models as their owners report it, cached per model key until the
 * key is redeployed or undeployed. OIP needs it for metadata, readiness and mapping tensor columns.
 */
export class ModelSignatures {
  private readonly cache = new Map<string, ModelStatus>();

  constructor(
    private readonly config: RouterConfig,
    private readonly router: RequestRouter,
    table: RoutingTable,
  ) {
    table.onChange((_dataType, key) => {
      if (key !== undefined) this.cache.delete(key);
    });
  }

  /** Statuses of `key` from each of its owners (partition mode: every live executor). */
  async statuses(key: string): Promise<ModelStatus[]> {
    const pool = this.router.pool;
    const targets =
      this.config.joinMode === 'partition' ? [...pool.liveConnections()] : [...pool.owners(key)];
    if (targets.length === 0) return [];
    const answers = await queryStatuses(targets, [key], STATUS_TIMEOUT_MS);
    return answers.map((a) => statusOf(a, key));
  }

  /** The status of an owner that serves `key`, or undefined when none does (yet). */
  async serving(key: string): Promise<ModelStatus | undefined> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const serving = (await this.statuses(key)).find((s) => s.state === ModelStatus_State.SERVING);
    if (serving) this.cache.set(key, serving);
    return serving;
  }

  /** Like serving(), but UNAVAILABLE with a message when no owner serves the key. */
  async require(key: string): Promise<ModelStatus> {
    const s = await this.serving(key);
    if (!s) throw unavailable(`model ${key} is not serving on any live executor yet`);
    return s;
  }
}
