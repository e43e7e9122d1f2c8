import { invalidArgument } from '@modelserving/model-core';

const BLOCK = 512;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function cstr(b: Uint8Array, off: number, len: number, dec = latin1): string {
  const s = b.subarray(off, off + len);
  const z = s.indexOf(0);
  return dec.decode(z < 0 ? s : s.subarray(0, z));
}

function octal(b: Uint8Array, off: number, len: number): number {
  const s = cstr(b, off, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** True when `b` starts with a ustar (POSIX or GNU) header. */
export function isTar(b: Uint8Array): boolean {
  return b.length >= BLOCK && cstr(b, 257, 5) === 'ustar';
}

/**
 * Regular files of a tar archive (ustar, with pax `path` and GNU long-name extensions), as views into the
 * archive. Directories, links and devices are skipped: a SavedModel is plain files.
 */
export function readTar(b: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let pos = 0;
  let longName: string | undefined;
  while (pos + BLOCK <= b.length) {
    const h = b.subarray(pos, pos + BLOCK);
    if (h.every((x) => x === 0)) break; // end-of-archive marker
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const dataStart = pos + BLOCK;
    if (Number.isNaN(size) || dataStart + size > b.length)
      throw invalidArgument(`tar: entry at ${pos} runs past the end (truncated archive?)`);
    const data = b.subarray(dataStart, dataStart + size);
    const prefix = cstr(h, 345, 155);
    let name = longName ?? (prefix ? `${prefix}/${cstr(h, 0, 100)}` : cstr(h, 0, 100));
    longName = undefined;
    if (type === 'x') {
      const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(utf8.decode(data));
      if (m) longName = m[1];
    } else if (type === 'L') {
      longName = cstr(data, 0, data.length);
    } else if (type === '0' || type === '\0' || type === '7') {
      name = name.replace(/^\.\//, '');
      files.set(name, data);
    }
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

/** Writes a ustar archive of regular files (names up to 100 bytes, or 255 with a prefix split). */
export function writeTar(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const [name, data] of files) {
    const h = new Uint8Array(BLOCK);
    let base = name;
    let prefix = '';
    if (enc.encode(name).length > 100) {
      const cut = name.lastIndexOf('/', name.length - 1);
      prefix = name.slice(0, cut);
      base = name.slice(cut + 1);
      if (cut < 0 || enc.encode(base).length > 100 || enc.encode(prefix).length > 155)
        throw invalidArgument(`tar: name too long: ${name}`);
    }
    h.set(enc.encode(base), 0);
    h.set(enc.encode('0000644\0'), 100);
    h.set(enc.encode('0000000\0'), 108);
    h.set(enc.encode('0000000\0'), 116);
    h.set(enc.encode(data.length.toString(8).padStart(11, '0') + '\0'), 124);
    h.set(enc.encode('00000000000\0'), 136);
    h[156] = '0'.charCodeAt(0);
    h.set(enc.encode('ustar\0'), 257);
    h.set(enc.encode('00'), 263);
    h.set(enc.encode(prefix), 345);
    // Checksum: computed with the checksum field as spaces.
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const x of h) sum += x;
    h.set(enc.encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    parts.push(h, data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
