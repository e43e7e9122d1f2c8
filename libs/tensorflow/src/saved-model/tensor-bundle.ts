import { invalidArgument } from '@modelserving/model-core';
import { WireType } from '@modelserving/protobuf-wire';
import { ProtoReader } from '../proto/proto-reader';
import { DType, dtypeName } from '../graph/dtype';
import { decodeTensorShape, fromRaw, type TensorValue } from '../graph/tensor-value';
import { readSSTable } from './sstable';
import { crc32c, unmaskCrc } from './crc32c';

/** BundleEntryProto: where one variable's bytes live in the data shards. */
export interface BundleEntry {
  readonly dtype: number;
  readonly shape: readonly number[];
  readonly shardId: number;
  readonly offset: number;
  readonly size: number;
  readonly crc32c?: number;
  readonly sliced: boolean;
}

/** A TensorBundle (`variables.index` + `variables.data-NNNNN-of-MMMMM`). */
export interface TensorBundle {
  readonly numShards: number;
  readonly entries: ReadonlyMap<string, BundleEntry>;
}

export function readBundleIndex(index: Uint8Array): TensorBundle {
  const table = readSSTable(index, 'variables.index');
  let numShards = 1;
  const entries = new Map<string, BundleEntry>();
  for (const [key, value] of table) {
    const r = new ProtoReader(value, `variables.index entry '${key}'`);
    if (key === '') {
      // BundleHeaderProto: num_shards, endianness (0 = little), version.
      while (!r.done) {
        const [f, wt] = r.tag();
        if (f === 1 && wt === WireType.VARINT) numShards = r.varint();
        else if (f === 2 && wt === WireType.VARINT) {
          if (r.varint() !== 0)
            throw invalidArgument('variables.index: big-endian bundles are not supported');
        } else r.skip(wt);
      }
      continue;
    }
    let dtype = 0;
    let shape: readonly number[] = [];
    let shardId = 0;
    let offset = 0;
    let size = 0;
    let crc: number | undefined;
    let sliced = false;
    while (!r.done) {
      const [f, wt] = r.tag();
      if (f === 1 && wt === WireType.VARINT) dtype = r.varint();
      else if (f === 2 && wt === WireType.LEN) shape = decodeTensorShape(r.sub('shape')).dims ?? [];
      else if (f === 3 && wt === WireType.VARINT) shardId = r.varint();
      else if (f === 4 && wt === WireType.VARINT) offset = r.int64();
      else if (f === 5 && wt === WireType.VARINT) size = r.int64();
      else if (f === 6 && wt === WireType.I32) crc = r.fixed32();
      else if (f === 7) {
        sliced = true;
        r.skip(wt);
      } else r.skip(wt);
    }
    entries.set(
      key,
      crc === undefined
        ? { dtype, shape, shardId, offset, size, sliced }
        : { dtype, shape, shardId, offset, size, crc32c: crc, sliced },
    );
  }
  return { numShards, entries };
}

/** `variables.data-00000-of-00001` for shard 0 of 1. */
export function shardFileName(prefix: string, shard: number, numShards: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${prefix}.data-${pad(shard)}-of-${pad(numShards)}`;
}

/**
 * Reads one variable's value from its shard, checking the size and (when present) the masked CRC32C so a
 * corrupt or mismatched shard is an error instead of silently wrong weights.
 */
export function readBundleTensor(
  bundle: TensorBundle,
  name: string,
  shard: (id: number) => Uint8Array,
): TensorValue {
  const e = bundle.entries.get(name);
  if (!e) throw invalidArgument(`variables: no value for variable '${name}' in variables.index`);
  if (e.sliced)
    throw invalidArgument(
      `variables: variable '${name}' is saved in slices (partitioned), which is not supported`,
    );
  const data = shard(e.shardId);
  if (e.offset + e.size > data.length) {
    throw invalidArgument(
      `variables: '${name}' needs bytes ${e.offset}..${e.offset + e.size} of shard ${e.shardId}, which has ${data.length} (truncated?)`,
    );
  }
  const bytes = data.subarray(e.offset, e.offset + e.size);
  if (e.crc32c !== undefined && crc32c(bytes) !== unmaskCrc(e.crc32c)) {
    throw invalidArgument(`variables: checksum mismatch for '${name}' in shard ${e.shardId}`);
  }
  const size = e.shape.reduce((a, b) => a * b, 1);
  const what = `variables: '${name}' (${dtypeName(e.dtype)} [${e.shape.join(', ')}])`;
  return { dtype: e.dtype, shape: e.shape, data: fromRaw(bytes, e.dtype, size, what) };
}

/**
 * Reads a string tensor's elements as bytes. TF lays them out as varint64 lengths, a 4-byte masked checksum
 * of the lengths, then the bytes. The entry's CRC is an incremental one over the length *values* rather
 * than these bytes, so it is not re-checked here; the lengths must add up exactly instead.
 */
export function readBundleStrings(
  bundle: TensorBundle,
  name: string,
  shard: (id: number) => Uint8Array,
): Uint8Array[] {
  const e = bundle.entries.get(name);
  if (!e) throw invalidArgument(`variables: no value for '${name}' in variables.index`);
  if (e.dtype !== DType.DT_STRING)
    throw invalidArgument(`variables: '${name}' is ${dtypeName(e.dtype)}, not a string tensor`);
  const data = shard(e.shardId);
  if (e.offset + e.size > data.length)
    throw invalidArgument(`variables: '${name}' runs past the end of shard ${e.shardId} (truncated?)`);
  const r = new ProtoReader(data, `variables: '${name}'`, e.offset, e.offset + e.size);
  const count = e.shape.reduce((a, b) => a * b, 1);
  const lengths: number[] = [];
  for (let i = 0; i < count; i++) lengths.push(r.varint());
  r.fixed32(); // checksum of the lengths
  const out: Uint8Array[] = [];
  for (const len of lengths) {
    if (r.pos + len > r.end) r.fail(`string of ${len} bytes does not fit the entry`);
    out.push(data.subarray(r.pos, r.pos + len));
    r.pos += len;
  }
  if (r.pos !== r.end) r.fail('string lengths do not add up to the entry size');
  return out;
}
