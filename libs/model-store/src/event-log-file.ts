import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { ModelStreamEvent } from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';
import { MAGIC_BYTES, checkMagic, encodeFrame, parseFrames } from './record-framing';
import { ioError } from './store-io';

/** First bytes of every event log segment (format version 1). */
const LOG_MAGIC = Buffer.from('MSLOG\0\0\x01', 'latin1');

export interface LoadedLog {
  readonly log: EventLogFile;
  readonly events: ModelStreamEvent[];
  /** Bytes of a torn trailing record that were cut off (0 when the file was clean). */
  readonly truncatedBytes: number;
}

/**
 * One append-only segment of the embedded store's event log: checksummed records of encoded events. On open
 * a torn last record (the process died while appending) is cut off and every earlier one kept; corruption
 * before the last record refuses to open (DATA_LOSS).
 */
export class EventLogFile {
  private broken: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private size: number,
    private readonly fsync: boolean,
  ) {}

  /** Bytes in the file (magic included). */
  get bytes(): number {
    return this.size;
  }

  /** Opens (creating when absent) a segment and reads its events. `tornTailAllowed`: false for a segment
   * that is not the newest one (it was complete when the next one was started). */
  static async open(
    path: string,
    options: { fsync: boolean; tornTailAllowed?: boolean },
  ): Promise<LoadedLog> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw ioError(`cannot read model store log ${path}`, err);
      bytes = Buffer.alloc(0);
    }
    let events: ModelStreamEvent[] = [];
    let validBytes = 0;
    if (bytes.length < MAGIC_BYTES && LOG_MAGIC.subarray(0, bytes.length).equals(bytes)) {
      // New, or died while writing the magic: start the file over.
    } else {
      checkMagic(bytes, LOG_MAGIC, path, 'event log');
      const parsed = parseFrames(bytes, MAGIC_BYTES, path);
      validBytes = parsed.validBytes;
      events = parsed.payloads.map((payload, i) => {
        try {
          return ModelStreamEvent.decode(payload);
        } catch (err) {
          throw new ServingError(
            Code.DATA_LOSS,
            `model store log ${path} has an undecodable record (#${i + 1})`,
            {
              cause: err,
            },
          );
        }
      });
    }
    const truncatedBytes = bytes.length - validBytes;
    if (truncatedBytes > 0 && validBytes > 0 && options.tornTailAllowed === false) {
      throw new ServingError(
        Code.DATA_LOSS,
        `model store log ${path} is cut short although a newer segment follows it`,
      );
    }
    try {
      if (validBytes === 0) {
        const h = await open(path, 'w');
        try {
          await h.write(LOG_MAGIC, 0, MAGIC_BYTES, 0);
          if (options.fsync) await h.datasync();
        } finally {
          await h.close();
        }
        validBytes = MAGIC_BYTES;
      } else if (truncatedBytes > 0) {
        await truncate(path, validBytes);
      }
    } catch (err) {
      throw ioError(`cannot prepare model store log ${path}`, err);
    }
    let handle: FileHandle;
    try {
      handle = await open(path, 'a');
    } catch (err) {
      throw ioError(`cannot open model store log ${path}`, err);
    }
    return {
      log: new EventLogFile(path, handle, validBytes, options.fsync),
      events,
      truncatedBytes: Math.max(0, truncatedBytes),
    };
  }

  /** Appends events as one write (fsynced when configured). On failure the file is cut back to its
   * previous size so a half-written record can never sit in front of later ones. */
  async append(events: readonly ModelStreamEvent[]): Promise<void> {
    if (this.broken)
      throw new ServingError(Code.DATA_LOSS, `model store log ${this.path} is unusable`, {
        cause: this.broken,
      });
    const buf = Buffer.concat(events.map((e) => encodeFrame(ModelStreamEvent.encode(e).finish())));
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
      throw ioError(`cannot append to model store log ${this.path}`, err);
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
