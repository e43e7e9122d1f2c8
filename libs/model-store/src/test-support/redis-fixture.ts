import { randomBytes } from 'node:crypto';
// The workspace's module-boundary rule does not yet let type:lib tests use type:testing helpers; this file is
// the single place that does, until eslint.config.mjs exempts spec/test-support files.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { freePort, startRedisServer, type RedisServerHandle } from '@modelserving/testing';

export { freePort, startRedisServer, type RedisServerHandle };

/**
 * One private redis-server per spec file. When the binary is missing, `skipReason` says so and the tests
 * skip with that message instead of failing.
 */
export class RedisFixture {
  server: RedisServerHandle | undefined;
  skipReason: string | undefined;

  async start(): Promise<void> {
    try {
      this.server = await startRedisServer();
    } catch (err) {
      this.skipReason = (err as Error).message;
    }
  }

  /** The running server, or skips the calling test. */
  require(ctx: { skip: (note?: string) => never }): RedisServerHandle {
    if (!this.server) ctx.skip(this.skipReason ?? 'redis-server not started');
    return this.server as RedisServerHandle;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

/** A fresh key prefix per test, so tests sharing one Redis never see each other's data. */
export function uniquePrefix(): string {
  return `test-${randomBytes(6).toString('hex')}:`;
}
