import { deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { savedModelFiles } from '../saved-model/saved-model-files';
import { crc32c, maskCrc, unmaskCrc } from '../saved-model/crc32c';
import { readTar, writeTar } from './tar';
import { readZip } from './zip';

/** A minimal zip writer (stored or deflated entries, no data descriptors) for the reader's tests. */
function zip(files: [string, Uint8Array, boolean][]): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const [name, data, deflate] of files) {
    const body = deflate ? deflateRawSync(data) : Buffer.from(data);
    const n = Buffer.from(name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(deflate ? 8 : 0, 8);
    h.writeUInt32LE(body.length, 18);
    h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(deflate ? 8 : 0, 10);
    c.writeUInt32LE(body.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(off, 42);
    parts.push(h, n, body);
    central.push(c, n);
    off += h.length + n.length + body.length;
  }
  const cd = Buffer.concat(central);
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(files.length, 8);
  e.writeUInt16LE(files.length, 10);
  e.writeUInt32LE(cd.length, 12);
  e.writeUInt32LE(off, 16);
  return new Uint8Array(Buffer.concat([...parts, cd, e]));
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('archives', () => {
  it('tar round-trips, including names longer than 100 bytes', () => {
    const long = `${'d'.repeat(80)}/${'e'.repeat(60)}/variables.index`;
    const files = new Map([
      ['m/saved_model.pb', bytes('pb')],
      [long, new Uint8Array(1000).fill(7)],
    ]);
    const back = readTar(writeTar(files));
    expect([...back.keys()]).toEqual([...files.keys()]);
    expect(back.get(long)).toEqual(files.get(long));
  });

  it('zip entries, stored and deflated', () => {
    const z = readZip(
      zip([
        ['a/saved_model.pb', bytes('graph'), false],
        ['a/variables/variables.index', bytes('x'.repeat(500)), true],
      ]),
    );
    expect(new TextDecoder().decode(z.get('a/saved_model.pb'))).toBe('graph');
    expect(z.get('a/variables/variables.index')).toHaveLength(500);
  });

  it('SavedModel files from zip, tar.gz and bare .pb are rooted at saved_model.pb', () => {
    const z = savedModelFiles(
      zip([
        ['x/1/saved_model.pb', bytes('g'), true],
        ['x/1/variables/variables.index', bytes('i'), false],
      ]),
      undefined,
    );
    expect([...z.keys()].sort()).toEqual(['saved_model.pb', 'variables/variables.index']);
    const t = savedModelFiles(gzipSync(writeTar(new Map([['1/saved_model.pb', bytes('g')]]))), undefined);
    expect([...t.keys()]).toEqual(['saved_model.pb']);
    expect([...savedModelFiles(bytes('g'), 'https://example.com/saved_model.pb').keys()]).toEqual([
      'saved_model.pb',
    ]);
  });

  it('crc32c matches the standard check value and masking round-trips', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
    expect(unmaskCrc(maskCrc(0xdeadbeef))).toBe(0xdeadbeef);
  });
});
