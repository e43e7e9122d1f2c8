import { invalidArgument } from '@modelserving/model-core';
import { ProtoReader } from '../proto/proto-reader';
import { snappyDecompress } from './snappy';

/** LevelDB / TensorFlow table magic number (little-endian fixed64 at the end of the file). */
const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;
const FOOTER = 48;
const TRAILER = 5;

interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

/**
 * Reads every key/value of a LevelDB-format table (TensorFlow's `variables.index`): footer → index block →
 * data blocks, each a run of prefix-compressed entries followed by restart points. The index is small (one
 * entry per variable), so it is read whole into a Map rather than searched.
 */
export function readSSTable(file: Uint8Array, what = 'variables.index'): Map<string, Uint8Array> {
  const fail = (reason: string): never => {
    throw invalidArgument(`${what}: ${reason}`);
  };
  if (file.length < FOOTER) fail(`${file.length} bytes is too short for a table footer (${FOOTER})`);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const end = file.length;
  if (view.getUint32(end - 8, true) !== MAGIC_LO || view.getUint32(end - 4, true) !== MAGIC_HI) {
    fail('bad magic number (not a TensorFlow table / LevelDB SSTable)');
  }
  const footer = new ProtoReader(file, `${what} footer`, end - FOOTER, end - 8);
  readHandle(footer); // metaindex: unused by TensorFlow
  const indexHandle = readHandle(footer);

  const out = new Map<string, Uint8Array>();
  const keyDecoder = new TextDecoder('utf-8');
  for (const [, handleBytes] of blockEntries(readBlock(file, indexHandle, what), `${what} index block`)) {
    const handle = readHandle(new ProtoReader(handleBytes, `${what} block handle`));
    for (const [key, value] of blockEntries(readBlock(file, handle, what), `${what} data block`)) {
      out.set(keyDecoder.decode(key), value);
    }
  }
  return out;
}

function readHandle(r: ProtoReader): BlockHandle {
  return { offset: r.varint(), size: r.varint() };
}

function readBlock(file: Uint8Array, h: BlockHandle, what: string): Uint8Array {
  if (h.offset + h.size + TRAILER > file.length) {
    throw invalidArgument(
      `${what}: block at ${h.offset} (+${h.size}) runs past the end of the file (truncated?)`,
    );
  }
  const data = file.subarray(h.offset, h.offset + h.size);
  const compression = file[h.offset + h.size]!;
  if (compression === 0) return data;
  if (compression === 1) return snappyDecompress(data, what);
  throw invalidArgument(
    `${what}: block compression type ${compression} is not supported (only none and snappy)`,
  );
}

/** The entries of one block, keys rebuilt from their shared prefixes. */
function blockEntries(block: Uint8Array, what: string): [Uint8Array, Uint8Array][] {
  if (block.length < 4) throw invalidArgument(`${what}: block too short`);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const numRestarts = view.getUint32(block.length - 4, true);
  const limit = block.length - 4 - numRestarts * 4;
  if (limit < 0) throw invalidArgument(`${what}: ${numRestarts} restart points do not fit the block`);
  const r = new ProtoReader(block, what, 0, limit);
  const out: [Uint8Array, Uint8Array][] = [];
  let prev = new Uint8Array(0);
  while (!r.done) {
    const shared = r.varint();
    const nonShared = r.varint();
    const valueLen = r.varint();
    if (shared > prev.length || r.pos + nonShared + valueLen > limit) r.fail('entry out of bounds');
    const key = new Uint8Array(shared + nonShared);
    key.set(prev.subarray(0, shared));
    key.set(block.subarray(r.pos, r.pos + nonShared), shared);
    r.pos += nonShared;
    const value = block.subarray(r.pos, r.pos + valueLen);
    r.pos += valueLen;
    out.push([key, value]);
    prev = key;
  }
  return out;
}
