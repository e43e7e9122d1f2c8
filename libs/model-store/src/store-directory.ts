import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';
import { DirectoryLock } from './directory-lock';
import { EventLogFile } from './event-log-file';
import { comparePositions } from './positions';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file';
import { ioError, syncDir } from './store-io';

export interface StoreDirectoryOptions {
  /** fsync each append before it counts as written. */
  readonly fsync: boolean;
  /** The log is compacted into the snapshot once it holds more than max(this, size of the last snapshot). */
  readonly compactMinBytes: number;
}

export interface OpenedDirectory {
  readonly directory: StoreDirectory;
  /** The state as of the snapshot file (undefined: none yet). */
  readonly snapshot: StoreSnapshot | undefined;
  /** Logged events after the snapshot's position, in order. */
  readonly events: ModelStreamEvent[];
  /** Bytes of a torn last record that were cut off (the process died while appending). */
  readonly truncatedBytes: number;
}

const SNAPSHOT_FILE = 'snapshot';
const SEGMENT_RE = /^events-(\d{12})\.log$/;
const segmentName = (seq: number) => `events-${String(seq).padStart(12, '0')}.log`;

/**
 * The embedded store's data directory: `snapshot` (the state at some position, replaced atomically),
 * `events-<seq>.log` segments (every event since, append-only) and `blobs/`. Reopening = read the snapshot,
 * replay the segments. Compaction starts a new segment at once, writes a snapshot of the state at that
 * point in the background and then deletes the older segments, so publishes never wait for it, and disk
 * use and restart time stay within about twice the size of the state whatever the number of redeploys.
 */
export class StoreDirectory {
  private compaction: Promise<void> | undefined;
  /** Bytes in the segments the snapshot does not cover yet. */
  private logBytes: number;

  private constructor(
    readonly dir: string,
    private readonly options: StoreDirectoryOptions,
    private log: EventLogFile,
    private seq: number,
    private snapshotBytes: number,
    logBytes: number,
    private readonly lock: DirectoryLock,
  ) {
    this.logBytes = logBytes;
  }

  get blobsDir(): string {
    return join(this.dir, 'blobs');
  }

  static async open(dir: string, options: StoreDirectoryOptions): Promise<OpenedDirectory> {
    let names: string[];
    try {
      await mkdir(dir, { recursive: true });
      names = await readdir(dir);
    } catch (err) {
      throw ioError(`cannot open model store directory ${dir}`, err);
    }
    const lock = await DirectoryLock.acquire(dir);
    try {
      return await StoreDirectory.load(dir, options, names, lock);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  private static async load(
    dir: string,
    options: StoreDirectoryOptions,
    names: string[],
    lock: DirectoryLock,
  ): Promise<OpenedDirectory> {
    // Temp files of a snapshot write that did not finish: the old snapshot is still in place.
    for (const name of names)
      if (name.startsWith(`${SNAPSHOT_FILE}.tmp-`)) await unlink(join(dir, name)).catch(() => undefined);

    const loaded = await readSnapshotFile(join(dir, SNAPSHOT_FILE));
    const snapshot = loaded?.snapshot;
    const seqs = names
      .map((n) => SEGMENT_RE.exec(n)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const events: ModelStreamEvent[] = [];
    let after = snapshot?.position ?? '';
    let truncatedBytes = 0;
    let logBytes = 0;
    let last: EventLogFile | undefined;
    for (let i = 0; i < seqs.length; i++) {
      const isLast = i === seqs.length - 1;
      const opened = await EventLogFile.open(join(dir, segmentName(seqs[i] as number)), {
        fsync: options.fsync,
        tornTailAllowed: isLast,
      });
      truncatedBytes += opened.truncatedBytes;
      logBytes += opened.log.bytes;
      // Segments the snapshot already covers (compaction died before deleting them) are skipped by position.
      for (const event of opened.events) {
        if (comparePositions(event.position, after) <= 0) continue;
        events.push(event);
        after = event.position;
      }
      if (isLast) last = opened.log;
      else await opened.log.close();
    }
    const seq = seqs.at(-1) ?? 1;
    if (last === undefined) {
      last = (await EventLogFile.open(join(dir, segmentName(seq)), { fsync: options.fsync })).log;
      await syncDir(dir);
    }
    const directory = new StoreDirectory(dir, options, last, seq, loaded?.bytes ?? 0, logBytes, lock);
    return { directory, snapshot, events, truncatedBytes };
  }

  async append(event: ModelStreamEvent): Promise<void> {
    const before = this.log.bytes;
    await this.log.append([event]);
    this.logBytes += this.log.bytes - before;
  }

  /** Whether the log has grown enough that a snapshot pays for itself. */
  get wantsCompaction(): boolean {
    return (
      this.compaction === undefined &&
      this.logBytes > Math.max(this.options.compactMinBytes, this.snapshotBytes)
    );
  }

  /**
   * Starts compacting with `snapshot`, the state after the last appended event (the caller holds its publish
   * lock, so nothing is appended meanwhile): new appends go to a fresh segment from now on; the snapshot is
   * written and older segments deleted in the background. A failure leaves every file in place (the log
   * still has every event); the next compaction tries again.
   */
  async startCompaction(snapshot: StoreSnapshot): Promise<void> {
    if (this.compaction) return;
    const oldSeq = this.seq;
    const next = await EventLogFile.open(join(this.dir, segmentName(oldSeq + 1)), {
      fsync: this.options.fsync,
    });
    await syncDir(this.dir);
    const old = this.log;
    this.log = next.log;
    this.seq = oldSeq + 1;
    await old.close();
    const coveredBytes = this.logBytes;
    this.compaction = (async () => {
      try {
        this.snapshotBytes = await writeSnapshotFile(join(this.dir, SNAPSHOT_FILE), snapshot);
        this.logBytes = Math.max(0, this.logBytes - coveredBytes);
        const names = await readdir(this.dir);
        for (const name of names) {
          const s = SEGMENT_RE.exec(name)?.[1];
          if (s !== undefined && Number(s) <= oldSeq)
            await unlink(join(this.dir, name)).catch(() => undefined);
        }
      } catch {
        // Nothing is lost: the previous snapshot and every segment are still there.
      } finally {
        this.compaction = undefined;
      }
    })();
  }

  /** Resolves when a compaction in progress has finished (tests, close). */
  async settled(): Promise<void> {
    await this.compaction;
  }

  async close(): Promise<void> {
    await this.compaction;
    await this.log.close();
    await this.lock.release();
  }
}
