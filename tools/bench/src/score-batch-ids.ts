import { WireType, fieldTag, tagWireType } from '@modelserving/protobuf-wire';

// ScoreBatch.items (1, LEN) → ScoreItem.id (1, VARINT); ScoreResultBatch.items (1, LEN) → ScoreResultItem
// id (1, VARINT), result (2, LEN). Field numbers from proto/modelserving/v1/internal.proto.
const ITEMS = fieldTag(1, WireType.LEN);
const ITEM_ID = fieldTag(1, WireType.VARINT);
const RESULT_ITEM_RESULT = fieldTag(2, WireType.LEN);
// ServingResponseBatch.responses (1, LEN) → ServingResponse.result (2, LEN) → ServingResult.error (7, LEN).
const RESPONSE_RESULT = fieldTag(2, WireType.LEN);
const RESULT_ERROR = fieldTag(7, WireType.LEN);

function varint(buf: Buffer, pos: number): [value: number, next: number] {
  let x = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++]!;
    x += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [x, pos];
    mul *= 128;
  }
}

function skip(buf: Buffer, pos: number, wireType: number): number {
  switch (wireType) {
    case WireType.VARINT:
      return varint(buf, pos)[1];
    case WireType.I64:
      return pos + 8;
    case WireType.LEN: {
      const [n, p] = varint(buf, pos);
      return p + n;
    }
    case WireType.I32:
      return pos + 4;
    default:
      throw new RangeError(`wire type ${wireType} in a ScoreBatch`);
  }
}

/**
 * The item ids of an encoded ScoreBatch, reading nothing else: the bare echo executor's whole decoder
 * (records stay undecoded bytes, as the router's pass-through codec leaves them).
 */
export function scoreBatchIds(buf: Buffer): number[] {
  const ids: number[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p] = varint(buf, pos);
    if (tag !== ITEMS) {
      pos = skip(buf, p, tagWireType(tag));
      continue;
    }
    const [len, start] = varint(buf, p);
    const end = start + len;
    let q = start;
    let id = 0;
    while (q < end) {
      const [t, r] = varint(buf, q);
      if (t === ITEM_ID) [id, q] = varint(buf, r);
      else q = skip(buf, r, tagWireType(t));
    }
    ids.push(id);
    pos = end;
  }
  return ids;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** A ScoreResultBatch answering every id with the same encoded ServingResult, in one allocation. */
export function encodeEchoResults(ids: readonly number[], result: Buffer): Buffer {
  let total = 0;
  const sizes = ids.map((id) => {
    const size = 1 + varintSize(id) + 1 + varintSize(result.length) + result.length;
    total += 1 + varintSize(size) + size;
    return size;
  });
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < ids.length; i++) {
    buf[pos++] = ITEMS;
    pos = writeVarint(buf, pos, sizes[i]!);
    buf[pos++] = ITEM_ID;
    pos = writeVarint(buf, pos, ids[i]!);
    buf[pos++] = RESULT_ITEM_RESULT;
    pos = writeVarint(buf, pos, result.length);
    pos += result.copy(buf, pos);
  }
  return buf;
}

/**
 * Counts the responses of an encoded ServingResponseBatch and those whose result carries an error, and
 * returns the first error: the load client's whole decoder, so it spends as little as possible per record.
 */
export function scanResponseBatch(buf: Buffer): { responses: number; errors: number; firstError?: string } {
  let responses = 0;
  let errors = 0;
  let firstError: string | undefined;
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p] = varint(buf, pos);
    if (tag !== ITEMS) {
      pos = skip(buf, p, tagWireType(tag));
      continue;
    }
    const [len, start] = varint(buf, p);
    const end = start + len;
    responses++;
    let q = start;
    while (q < end) {
      const [t, r] = varint(buf, q);
      if (t !== RESPONSE_RESULT) {
        q = skip(buf, r, tagWireType(t));
        continue;
      }
      const [rlen, rs] = varint(buf, r);
      const rend = rs + rlen;
      let x = rs;
      while (x < rend) {
        const [ft, y] = varint(buf, x);
        if (ft === RESULT_ERROR) {
          const [elen, es] = varint(buf, y);
          if (elen > 0) {
            errors++;
            firstError ??= buf.toString('utf8', es, es + Math.min(elen, 200));
          }
          x = es + elen;
        } else x = skip(buf, y, tagWireType(ft));
      }
      q = rend;
    }
    pos = end;
  }
  return firstError === undefined ? { responses, errors } : { responses, errors, firstError };
}
