import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SnapshotPage, type StoreSnapshot } from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';
import { MAGIC_BYTES, checkMagic, encodeFrame, parseFrames } from './record-framing';
import { SnapshotAssembler, snapshotPages } from './snapshot-pages';
import { ioError, syncDir } from './store-io';

/** First bytes of a snapshot file (format version 1). */
const SNAPSHOT_MAGIC = Buffer.from('MSSNAP\0\x01', 'latin1');
/** Pages are written in batches of about this many bytes (one write each). */
const WRITE_CHUNK_BYTES = 8 * 1024 * 1024;

/**
 * Writes `snapshot` to `path` atomically: pages as checksummed records into a temp file next to it, fsync,
 * rename over `path`, fsync the directory. A crash leaves either the old file or the new one, never a mix.
 * Returns the size written.
 */
export async function writeSnapshotFile(path: string, snapshot: StoreSnapshot): Promise<number> {
  const tmp = `${path}.tmp-${process.pid}`;
  let size = 0;
  try {
    const h = await open(tmp, 'w');
    try {
      let chunk: Buffer[] = [SNAPSHOT_MAGIC];
      let chunkBytes = MAGIC_BYTES;
      const flush = async () => {
        const buf = Buffer.concat(chunk, chunkBytes);
        await h.write(buf, 0, buf.length, null);
        size += buf.length;
        chunk = [];
        chunkBytes = 0;
      };
      for (const page of snapshotPages(snapshot)) {
        const frame = encodeFrame(SnapshotPage.encode(page).finish());
        chunk.push(frame);
        chunkBytes += frame.length;
        if (chunkBytes >= WRITE_CHUNK_BYTES) await flush();
      }
      await flush();
      await h.sync();
    } finally {
      await h.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw ioError(`cannot write model store snapshot ${path}`, err);
  }
  await syncDir(dirname(path));
  return size;
}

/**
 * Reads a snapshot file; undefined when there is none. The file is only ever replaced whole, so anything
 * short of a complete, checksummed set of pages is corruption: DATA_LOSS naming the file.
 */
export async function readSnapshotFile(
  path: string,
): Promise<{ snapshot: StoreSnapshot; bytes: number } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioError(`cannot read model store snapshot ${path}`, err);
  }
  const corrupt = (why: string, cause?: unknown) =>
    new ServingError(
      Code.DATA_LOSS,
      `model store snapshot ${path} is corrupt (${why}); restore the data directory from a backup, or move it away to start empty`,
      { cause },
    );
  checkMagic(bytes, SNAPSHOT_MAGIC, path, 'snapshot');
  const { payloads, validBytes } = parseFrames(bytes, MAGIC_BYTES, path);
  if (validBytes !== bytes.length) throw corrupt(`a damaged record at byte ${validBytes}`);
  const assembler = new SnapshotAssembler(path);
  try {
    for (const payload of payloads) assembler.add(SnapshotPage.decode(payload));
    return { snapshot: assembler.result(), bytes: bytes.length };
  } catch (err) {
    throw corrupt(err instanceof ServingError ? err.message : 'an undecodable page', err);
  }
}
