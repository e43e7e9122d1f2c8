import { open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Code, ServingError } from '@modelserving/model-core';
import { ioError } from './store-io';

const LOCK_FILE = 'LOCK';
/** Directories this process holds: a second store on the same directory in one process is refused too. */
const held = new Set<string>();

/**
 * One writer per store directory: two routers appending to one log would interleave records and corrupt
 * it. The lock is a file holding the owner's pid, created exclusively. A lock left by a process that no
 * longer runs (SIGKILL, a crash) is taken over; so is one with our own pid from an earlier life (a
 * container's pid 1 restarted), unless this process itself holds it.
 */
export class DirectoryLock {
  private constructor(
    private readonly path: string,
    private readonly key: string,
  ) {}

  static async acquire(dir: string): Promise<DirectoryLock> {
    const key = resolve(dir);
    if (held.has(key)) {
      throw new ServingError(
        Code.FAILED_PRECONDITION,
        `model store directory ${dir} is already open in this process`,
      );
    }
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fh = await open(path, 'wx');
        try {
          await fh.writeFile(`${process.pid}\n`);
        } finally {
          await fh.close();
        }
        held.add(key);
        return new DirectoryLock(path, key);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
          throw ioError(`cannot lock model store directory ${dir}`, err);
      }
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
        throw new ServingError(
          Code.FAILED_PRECONDITION,
          `model store directory ${dir} is in use by process ${holder} (another router?)`,
        );
      }
      await unlink(path).catch(() => undefined);
    }
    throw new ServingError(Code.UNAVAILABLE, `cannot lock model store directory ${dir}: lock keeps changing`);
  }

  async release(): Promise<void> {
    held.delete(this.key);
    await unlink(this.path).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
