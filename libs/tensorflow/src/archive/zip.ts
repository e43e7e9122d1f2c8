import { inflateRawSync } from 'node:zlib';
import { invalidArgument } from '@modelserving/model-core';

/** True when `b` starts with a zip local file header. */
export function isZip(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/**
 * Regular files of a zip archive, found through the central directory (the local headers' sizes may be
 * deferred to data descriptors). Stored and deflated entries are supported; zip64 is not.
 */
export function readZip(b: Uint8Array): Map<string, Uint8Array> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw invalidArgument('zip: no end-of-central-directory record (truncated archive?)');
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const files = new Map<string, Uint8Array>();
  const dec = new TextDecoder('utf-8');
  for (let e = 0; e < count; e++) {
    if (p + 46 > b.length || v.getUint32(p, true) !== 0x02014b50)
      throw invalidArgument('zip: corrupt central directory');
    const method = v.getUint16(p + 10, true);
    const csize = v.getUint32(p + 20, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    const local = v.getUint32(p + 42, true);
    const name = dec.decode(b.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (local + 30 > b.length || v.getUint32(local, true) !== 0x04034b50)
      throw invalidArgument(`zip: bad local header for ${name}`);
    const start = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    if (start + csize > b.length)
      throw invalidArgument(`zip: ${name} runs past the end (truncated archive?)`);
    const raw = b.subarray(start, start + csize);
    if (method === 0) files.set(name, raw);
    else if (method === 8) files.set(name, new Uint8Array(inflateRawSync(raw)));
    else throw invalidArgument(`zip: ${name} uses compression method ${method} (only stored and deflate)`);
  }
  return files;
}
