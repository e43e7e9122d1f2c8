import { invalidArgument } from '@modelserving/model-core';

/**
 * Raw snappy decompression (the block format, no framing). TensorFlow writes table blocks uncompressed by
 * default, but the table format allows snappy, and the decoder is small enough to carry rather than fail.
 */
export function snappyDecompress(src: Uint8Array, what: string): Uint8Array {
  let pos = 0;
  const fail = (reason: string): never => {
    throw invalidArgument(`${what}: corrupt snappy block (${reason})`);
  };
  // Preamble: the uncompressed length as a varint.
  let len = 0;
  let mul = 1;
  for (;;) {
    if (pos >= src.length) fail('truncated length');
    const b = src[pos++]!;
    len += (b & 0x7f) * mul;
    if (b < 0x80) break;
    mul *= 128;
  }
  const out = new Uint8Array(len);
  let o = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      // Literal: length-1 in the upper six bits, or in 1-4 following bytes.
      let n = tag >>> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let i = 0; i < bytes; i++) n |= src[pos + i]! << (8 * i);
        pos += bytes;
      }
      n += 1;
      if (pos + n > src.length || o + n > len) fail('literal out of bounds');
      out.set(src.subarray(pos, pos + n), o);
      pos += n;
      o += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (kind === 1) {
      n = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos++]!;
    } else if (kind === 2) {
      n = (tag >>> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      n = (tag >>> 2) + 1;
      offset = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > o || o + n > len) fail('copy out of bounds');
    // Copies may overlap their own output (run-length style), so copy byte by byte.
    for (let i = 0; i < n; i++, o++) out[o] = out[o - offset]!;
  }
  if (o !== len) fail(`expected ${len} bytes, got ${o}`);
  return out;
}
