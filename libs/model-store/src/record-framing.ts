import { crc32 } from 'node:zlib';
import { Code, ServingError } from '@modelserving/model-core';

/**
 * Framing of the embedded store's files: each record is `length (u32 BE) | crc32 of the payload (u32 BE) |
 * payload`. Files start with an 8-byte magic naming their kind, so a wrong file is refused clearly.
 */
export const FRAME_HEADER_BYTES = 8;
export const MAGIC_BYTES = 8;
/** Far above any record we write (pages are a few MiB, large models live in blobs); more means a corrupt header. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export interface ParsedFrames {
  readonly payloads: Buffer[];
  /** Bytes from the start of the file up to the end of the last intact record. */
  readonly validBytes: number;
}

/**
 * Parses the records of `bytes` from `start`. A crash can only tear the last record (appends are
 * sequential), so a record that runs past the end of the file, or a bad last record, ends the parse there
 * (`validBytes` tells where); a bad record followed by more data is real corruption: DATA_LOSS rather than
 * silently dropping the records after it. Messages name the file and an offset, never record content.
 */
export function parseFrames(bytes: Buffer, start: number, path: string): ParsedFrames {
  const payloads: Buffer[] = [];
  let offset = start;
  while (offset < bytes.length) {
    if (bytes.length - offset < FRAME_HEADER_BYTES) break; // torn header
    const length = bytes.readUInt32BE(offset);
    const checksum = bytes.readUInt32BE(offset + 4);
    const end = offset + FRAME_HEADER_BYTES + length;
    if (length > MAX_RECORD_BYTES || end > bytes.length) {
      // Zero-filled tails (file systems may expose unwritten blocks after a crash) parse as length 0 below;
      // anything else reaching past the end was being appended when the process died.
      break;
    }
    const payload = bytes.subarray(offset + FRAME_HEADER_BYTES, end);
    if (length === 0 || crc32(payload) !== checksum) {
      if (end === bytes.length || isAllZero(bytes.subarray(offset))) break;
      throw new ServingError(
        Code.DATA_LOSS,
        `model store file ${path} is corrupt at byte ${offset} (a bad record before the last one); refusing to drop the records after it`,
      );
    }
    payloads.push(payload);
    offset = end;
  }
  return { payloads, validBytes: offset };
}

/** Throws DATA_LOSS unless `bytes` starts with `magic` (an empty file is accepted by the caller). */
export function checkMagic(bytes: Buffer, magic: Buffer, path: string, what: string): void {
  if (bytes.length < MAGIC_BYTES || !bytes.subarray(0, MAGIC_BYTES).equals(magic)) {
    throw new ServingError(Code.DATA_LOSS, `${path} is not a model store ${what} file (bad header)`);
  }
}

function isAllZero(b: Buffer): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}
