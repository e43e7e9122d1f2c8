import { DType } from '../graph/dtype';
import { encodeTensorShape } from '../graph/tensor-value';
import { ProtoWriter } from '../proto/proto-writer';
import { crc32c, maskCrc } from '../saved-model/crc32c';

/** A value to store in a test TensorBundle: float32 data, or a string scalar (bytes). */
export type BundleValue =
  { readonly shape: readonly number[]; readonly data: readonly number[] } | { readonly bytes: Uint8Array };

const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;

function varints(values: readonly number[]): number[] {
  const out: number[] = [];
  for (let v of values) {
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
  }
  return out;
}

/** A LevelDB block: entries without prefix sharing, a restart point at each, then the restart array. */
function block(entries: readonly [Uint8Array, Uint8Array][]): Uint8Array {
  const bytes: number[] = [];
  const restarts: number[] = [];
  for (const [k, v] of entries) {
    restarts.push(bytes.length);
    bytes.push(...varints([0, k.length, v.length]), ...k, ...v);
  }
  if (restarts.length === 0) restarts.push(0);
  const out = new Uint8Array(bytes.length + restarts.length * 4 + 4);
  out.set(bytes);
  const view = new DataView(out.buffer);
  restarts.forEach((r, i) => view.setUint32(bytes.length + i * 4, r, true));
  view.setUint32(out.length - 4, restarts.length, true);
  return out;
}

/**
 * Writes a LevelDB-format table (what TensorFlow's `variables.index` is): one data block, an empty
 * metaindex block, an index block pointing at the data block, and the 48-byte footer with the magic.
 */
export function writeSSTable(table: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const enc = new TextEncoder();
  const entries = [...table].map(([k, v]): [Uint8Array, Uint8Array] => [enc.encode(k), v]);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: number[] = [];
  const put = (b: Uint8Array): [number, number] => {
    const offset = parts.length;
    parts.push(...b, 0, 0, 0, 0, 0); // trailer: compression none + (unchecked) crc
    return [offset, b.length];
  };
  const data = put(block(entries));
  const meta = put(block([]));
  const lastKey = entries.length ? entries[entries.length - 1]![0] : new Uint8Array(0);
  const index = put(block([[lastKey, Uint8Array.from(varints(data))]]));
  const footer = new Uint8Array(48);
  footer.set(varints([...meta, ...index]));
  const fv = new DataView(footer.buffer);
  fv.setUint32(40, MAGIC_LO, true);
  fv.setUint32(44, MAGIC_HI, true);
  return Uint8Array.from([...parts, ...footer]);
}

/** Writes a one-shard TensorBundle: `variables.index` and `variables.data-00000-of-00001`. */
export function writeBundle(values: ReadonlyMap<string, BundleValue>): Map<string, Uint8Array> {
  const table = new Map<string, Uint8Array>();
  // BundleHeaderProto: num_shards 1, little-endian, version { producer 1 }.
  table.set(
    '',
    new ProtoWriter()
      .varint(1, 1)
      .varint(2, 0)
      .message(3, (v) => v.varint(1, 1))
      .finish(),
  );
  const shard: number[] = [];
  for (const [key, value] of values) {
    const w = new ProtoWriter();
    let bytes: Uint8Array;
    if ('bytes' in value) {
      // String scalar: varint length, 4-byte length checksum, bytes (the entry then carries no CRC).
      bytes = Uint8Array.from([...varints([value.bytes.length]), 0, 0, 0, 0, ...value.bytes]);
      w.varint(1, DType.DT_STRING).message(2, (s) => encodeTensorShape(s, []));
    } else {
      bytes = new Uint8Array(Float32Array.from(value.data).buffer);
      w.varint(1, DType.DT_FLOAT).message(2, (s) => encodeTensorShape(s, value.shape));
    }
    w.varint(3, 0).varint(4, shard.length).varint(5, bytes.length);
    if (!('bytes' in value)) w.fixed32(6, maskCrc(crc32c(bytes)));
    table.set(key, w.finish());
    shard.push(...bytes);
  }
  return new Map([
    ['variables/variables.index', writeSSTable(table)],
    ['variables/variables.data-00000-of-00001', Uint8Array.from(shard)],
  ]);
}
