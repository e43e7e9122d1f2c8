import { open, readFile, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { ModelStreamEvent, StoreSnapshot } from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';

/**
 * A record of the embedded store's file: an event, or a checkpoint (the state folded from every event
 * before the ones that follow it; written by compaction so the file does not grow forever).
 */
export type LogRecord =
  | { readonly kind: 'event'; readonly event: ModelStreamEvent }
  | { readonly kind: 'checkpoint'; readonly snapshot: StoreSnapshot };

const KIND_EVENT = 1;
const KIND_CHECKPOINT = 2;
/** length (u32 BE) + crc32 of the payload (u32 BE); the payload is a kind byte and the encoded message. */
const HEADER_BYTES = 8;
/** Far above any record we write (large models live in blobs); a bigger length means a corrupt header. */
const MAX_RECORD_BYTES = 1024 * 1024 * 1024;

export interface LoadedLog {
  readonly log: EventLogFile;
  readonly records: LogRecord[];
  /** Bytes of a torn trailing record that were cut off (0 when the file was clean). */
  readonly truncatedBytes: number;
}

/**
 * Append-only log of length-prefixed, checksummed records. A crash can only tear the last record (appends
 * are sequential), so on open a torn or checksum-failing *last* record is truncated and every earlier one is
 * kept; a bad record followed by more data is real corruption and refuses to open (DATA_LOSS) rather than
 * silently dropping the events after it.
 */
export class EventLogFile {
  private size: number;
  private broken: Error | undefined;

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    size: number,
    private readonly fsync: boolean,
  ) {
    this.size = size;
  }

  static async open(path: string, options: { fsync: boolean }): Promise<LoadedLog> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw ioError(`cannot read model store file ${path}`, err);
      bytes = Buffer.alloc(0);
    }
    const { records, validBytes } = parseRecords(bytes, path);
    const truncatedBytes = bytes.length - validBytes;
    if (truncatedBytes > 0) {
      try {
        await truncate(path, validBytes);
      } catch (err) {
        throw ioError(`cannot truncate the torn last record of model store file ${path}`, err);
      }
    }
    const handle = await openForAppend(path);
    return { log: new EventLogFile(path, handle, validBytes, options.fsync), records, truncatedBytes };
  }

  /** Appends records as one write. On failure the file is cut back to its previous size so a half-written
   * record can never sit in front of later ones. */
  async append(records: readonly LogRecord[]): Promise<void> {
    if (this.broken)
      throw new ServingError(Code.DATA_LOSS, `model store file ${this.path} is unusable`, {
        cause: this.broken,
      });
    const buf = Buffer.concat(records.map(encodeRecord));
    try {
      await this.handle.write(buf, 0, buf.length, null);
      if (this.fsync) await this.handle.datasync();
      this.size += buf.length;
    } catch (err) {
      try {
        await this.handle.truncate(this.size);
      } catch (truncErr) {
        this.broken = truncErr as Error;
      }
      throw ioError(`cannot append to model store file ${this.path}`, err);
    }
  }

  /** Replaces the whole file atomically (temp file + fsync + rename) and continues appending to it. */
  async rewrite(records: readonly LogRecord[]): Promise<void> {
    if (this.broken)
      throw new ServingError(Code.DATA_LOSS, `model store file ${this.path} is unusable`, {
        cause: this.broken,
      });
    const tmp = `${this.path}.compact-${process.pid}`;
    const buf = Buffer.concat(records.map(encodeRecord));
    try {
      const h = await open(tmp, 'w');
      try {
        await h.write(buf, 0, buf.length, 0);
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      // Nothing changed: the old file and its handle are still in place.
      await unlink(tmp).catch(() => undefined);
      throw ioError(`cannot compact model store file ${this.path}`, err);
    }
    await syncDir(dirname(this.path));
    const old = this.handle;
    try {
      this.handle = await openForAppend(this.path);
      this.size = buf.length;
    } catch (err) {
      // Appending to the old (now unlinked) inode would lose events: stop using the log instead.
      this.broken = err as Error;
      throw err;
    } finally {
      await old.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

function encodeRecord(record: LogRecord): Buffer {
  const body =
    record.kind === 'event'
      ? ModelStreamEvent.encode(record.event).finish()
      : StoreSnapshot.encode(record.snapshot).finish();
  const payload = Buffer.alloc(1 + body.length);
  payload[0] = record.kind === 'event' ? KIND_EVENT : KIND_CHECKPOINT;
  payload.set(body, 1);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

function parseRecords(bytes: Buffer, path: string): { records: LogRecord[]; validBytes: number } {
  const records: LogRecord[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const remaining = bytes.length - offset;
    if (remaining < HEADER_BYTES) break; // torn header
    const length = bytes.readUInt32BE(offset);
    const checksum = bytes.readUInt32BE(offset + 4);
    const end = offset + HEADER_BYTES + length;
    // A record reaching past the end of the file was being appended when the process died.
    if (length > MAX_RECORD_BYTES || end > bytes.length) break;
    const payload = bytes.subarray(offset + HEADER_BYTES, end);
    if (length === 0 || crc32(payload) !== checksum) {
      // Zero-filled or half-written tail (file systems may expose unwritten zeros after a crash).
      if (end === bytes.length || isAllZero(bytes.subarray(offset))) break;
      throw new ServingError(
        Code.DATA_LOSS,
        `model store file ${path} is corrupt at byte ${offset} (bad record before the last one); refusing to drop the records after it`,
      );
    }
    try {
      const body = payload.subarray(1);
      if (payload[0] === KIND_EVENT) records.push({ kind: 'event', event: ModelStreamEvent.decode(body) });
      else if (payload[0] === KIND_CHECKPOINT)
        records.push({ kind: 'checkpoint', snapshot: StoreSnapshot.decode(body) });
      else throw new Error(`unknown record kind ${payload[0]}`);
    } catch (err) {
      throw new ServingError(
        Code.DATA_LOSS,
        `model store file ${path} has an undecodable record at byte ${offset}`,
        { cause: err },
      );
    }
    offset = end;
  }
  return { records, validBytes: offset };
}

function isAllZero(b: Buffer): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

async function openForAppend(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'a');
  } catch (err) {
    throw ioError(`cannot open model store file ${path}`, err);
  }
}

/** Makes a rename durable; not every platform/file system supports fsync on a directory, hence best effort. */
async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // best effort
  }
}

function ioError(message: string, cause: unknown): ServingError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  const grpc =
    code === 'EACCES' || code === 'EPERM'
      ? Code.PERMISSION_DENIED
      : code === 'ENOSPC'
        ? Code.RESOURCE_EXHAUSTED
        : Code.UNAVAILABLE;
  return new ServingError(grpc, `${message}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
