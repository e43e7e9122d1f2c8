import { ServingResult, type ServingQualifier } from '@modelserving/contracts';
import { WireType, fieldTag, tagWireType } from '@modelserving/protobuf-wire';
import { RouteRequest, SPECULATIVE_ITEM, type PendingEntry } from './route-request';

// Hand-written protobuf wire code for the router's hot messages. The router only routes: it reads a few
// scalar fields and moves the record and result bytes along unchanged, so it decodes requests and executor
// results into views over the received buffers and encodes batches in one pass into one allocation, without
// the per-field objects and string encoders of the generated code. Wire formats follow
// proto/modelserving/v1/{data,internal,serving_service}.proto; the generated code stays the reference (the
// codec spec checks the two agree).

// Field tags of the messages this codec reads and writes. Every tag here is below 128, so it is one byte on
// the wire and the encoders write it as such.
/** ServingRequest: guid, data_type, data (Record), model_name, timeout_ms. */
const REQUEST_GUID = fieldTag(1, WireType.LEN);
const REQUEST_DATA_TYPE = fieldTag(2, WireType.LEN);
const REQUEST_DATA = fieldTag(3, WireType.LEN);
const REQUEST_MODEL_NAME = fieldTag(4, WireType.LEN);
const REQUEST_TIMEOUT_MS = fieldTag(5, WireType.VARINT);
/** ServingRequestBatch.requests, ScoreBatch.items, ScoreResultBatch.items, ServingResponseBatch.responses. */
const BATCH_ITEM = fieldTag(1, WireType.LEN);
/** ScoreItem: id, model_key, record, trace, guid, speculative. */
const ITEM_ID = fieldTag(1, WireType.VARINT);
const ITEM_MODEL_KEY = fieldTag(2, WireType.LEN);
const ITEM_RECORD = fieldTag(3, WireType.LEN);
const ITEM_TRACE = fieldTag(4, WireType.LEN);
const ITEM_GUID = fieldTag(5, WireType.LEN);
const ITEM_SPECULATIVE = fieldTag(6, WireType.VARINT);
/** TraceContext: traceparent, tracestate. */
const TRACE_PARENT = fieldTag(1, WireType.LEN);
const TRACE_STATE = fieldTag(2, WireType.LEN);
/** ScoreResultItem: id, result. */
const RESULT_ITEM_ID = fieldTag(1, WireType.VARINT);
const RESULT_ITEM_RESULT = fieldTag(2, WireType.LEN);
/** ServingResult: error, error_code, confidence (the fields the router looks at). */
const RESULT_ERROR = fieldTag(7, WireType.LEN);
const RESULT_ERROR_CODE = fieldTag(8, WireType.VARINT);
const RESULT_CONFIDENCE = fieldTag(10, WireType.I64);
/** ServingResponse: guid, result, confidence, qualifiers. */
const RESPONSE_GUID = fieldTag(1, WireType.LEN);
const RESPONSE_RESULT = fieldTag(2, WireType.LEN);
const RESPONSE_CONFIDENCE = fieldTag(3, WireType.I64);
const RESPONSE_QUALIFIER = fieldTag(4, WireType.LEN);
/** ServingQualifier: key, value. */
const QUALIFIER_KEY = fieldTag(1, WireType.LEN);
const QUALIFIER_VALUE = fieldTag(2, WireType.LEN);

const EMPTY = Buffer.alloc(0);

class Reader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  varint32(): number {
    const b = this.buf;
    let x = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      const byte = b[this.pos++]!;
      if (shift < 32) x |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return x >>> 0;
      shift += 7;
      if (shift > 63) throw new RangeError('varint too long');
    }
  }

  /** A (u)int64 varint as a JS number (exact up to 2^53); negative int64 values come out negative. */
  varint64(): number {
    const b = this.buf;
    let lo = 0;
    let byte = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= this.end) throw new RangeError('truncated varint');
      byte = b[this.pos++]!;
      lo |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return lo >>> 0;
    }
    if (this.pos >= this.end) throw new RangeError('truncated varint');
    byte = b[this.pos++]!;
    lo |= (byte & 0x0f) << 28;
    let hi = (byte & 0x7f) >> 4;
    if ((byte & 0x80) !== 0) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) throw new RangeError('varint too long');
        if (this.pos >= this.end) throw new RangeError('truncated varint');
        byte = b[this.pos++]!;
        hi |= (byte & 0x7f) << shift;
        if ((byte & 0x80) === 0) break;
      }
    }
    return (hi | 0) * 4294967296 + (lo >>> 0);
  }

  /** Start of a length-delimited field's bytes; `pos` moves past them. */
  len(): number {
    const n = this.varint32();
    const start = this.pos;
    if (start + n > this.end) throw new RangeError('truncated length-delimited field');
    this.pos = start + n;
    return start;
  }

  string(): string {
    const start = this.len();
    return this.buf.toString('utf8', start, this.pos);
  }

  bytes(): Buffer {
    const start = this.len();
    return start === this.pos ? EMPTY : this.buf.subarray(start, this.pos);
  }

  skip(wire: number): void {
    switch (wire) {
      case WireType.VARINT:
        this.varint64();
        return;
      case WireType.I64:
        this.pos += 8;
        break;
      case WireType.LEN:
        this.len();
        return;
      case WireType.I32:
        this.pos += 4;
        break;
      default:
        throw new RangeError(`unsupported wire type ${wire}`);
    }
    if (this.pos > this.end) throw new RangeError('truncated field');
  }
}

// ---- client requests (ServingRequest / ServingRequestBatch) ----

/**
 * Decodes a ServingRequest straight into a RouteRequest (its sink is set by the front end). The record is
 * not decoded: the request keeps its position in the received buffer and is copied from there once, into
 * the executor batch.
 */
function readRequest(r: Reader): RouteRequest {
  const req = new RouteRequest();
  while (r.pos < r.end) {
    const tag = r.varint32();
    switch (tag) {
      case REQUEST_GUID:
        req.guid = r.string();
        break;
      case REQUEST_DATA_TYPE:
        req.dataType = r.string();
        break;
      case REQUEST_DATA:
        req.recordStart = r.len();
        req.recordEnd = r.pos;
        req.recordBuf = r.buf;
        break;
      case REQUEST_MODEL_NAME:
        req.modelName = r.string();
        break;
      case REQUEST_TIMEOUT_MS:
        req.timeoutMs = r.varint64();
        break;
      default:
        r.skip(tagWireType(tag));
    }
  }
  return req;
}

export function decodeServingRequest(buf: Buffer): RouteRequest {
  return readRequest(new Reader(buf));
}

export function decodeServingRequestBatch(buf: Buffer): { requests: RouteRequest[] } {
  const requests: RouteRequest[] = [];
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const tag = r.varint32();
    if (tag === BATCH_ITEM) {
      const start = r.len();
      requests.push(readRequest(new Reader(buf, start, r.pos)));
    } else {
      r.skip(tagWireType(tag));
    }
  }
  return { requests };
}

// ---- router → executor (ScoreBatch) ----

function varintSize(n: number): number {
  if (n < 0) return 10;
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let size = 4;
  n = Math.floor(n / 0x10000000);
  while (n > 0) {
    size++;
    n = Math.floor(n / 128);
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = n >= 0x10000000 ? Math.floor(n / 128) : n >>> 7;
  }
  buf[pos++] = n;
  return pos;
}

function strField(buf: Buffer, pos: number, tag: number, s: string, byteLen: number): number {
  buf[pos++] = tag;
  pos = writeVarint(buf, pos, byteLen);
  return pos + buf.write(s, pos, byteLen, byteLen === s.length ? 'latin1' : 'utf8');
}

function bytesField(buf: Buffer, pos: number, tag: number, b: Uint8Array): number {
  buf[pos++] = tag;
  pos = writeVarint(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

/** UTF-8 length; ASCII strings (guids, keys) take the fast path. */
function utf8Len(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/**
 * Encodes a ScoreBatch from the pending entries queued for one executor stream: a direct request is sent
 * without guid, a speculative item with its request's guid; the record bytes are copied from where the
 * client's message held them.
 */
export function encodeScoreBatch(entries: readonly PendingEntry[]): Buffer {
  const n = entries.length;
  // Pass 1: sizes (kept so pass 2 does not measure strings twice).
  const sizes = new Array<number>(n * 4);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const spec = e.kind === SPECULATIVE_ITEM;
    const req = spec ? e.req : e;
    const id = spec ? e.id : e.itemId;
    const keyLen = utf8Len(e.modelKey);
    const guidLen = spec ? utf8Len(req.guid) : 0;
    const recLen = req.recordEnd - req.recordStart;
    const trace = req.trace;
    let traceLen = 0;
    if (trace !== undefined) {
      const tp = trace.traceparent.length;
      const ts = utf8Len(trace.tracestate);
      traceLen = (tp > 0 ? 1 + varintSize(tp) + tp : 0) + (ts > 0 ? 1 + varintSize(ts) + ts : 0);
    }
    let size = 1 + varintSize(id) + 1 + varintSize(keyLen) + keyLen;
    if (recLen > 0) size += 1 + varintSize(recLen) + recLen;
    if (trace !== undefined) size += 1 + varintSize(traceLen) + traceLen;
    if (guidLen > 0) size += 1 + varintSize(guidLen) + guidLen;
    if (spec) size += 2;
    sizes[i * 4] = size;
    sizes[i * 4 + 1] = keyLen;
    sizes[i * 4 + 2] = guidLen;
    sizes[i * 4 + 3] = traceLen;
    total += 1 + varintSize(size) + size;
  }
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    const spec = e.kind === SPECULATIVE_ITEM;
    const req = spec ? e.req : e;
    buf[pos++] = BATCH_ITEM;
    pos = writeVarint(buf, pos, sizes[i * 4]!);
    buf[pos++] = ITEM_ID;
    pos = writeVarint(buf, pos, spec ? e.id : e.itemId);
    pos = strField(buf, pos, ITEM_MODEL_KEY, e.modelKey, sizes[i * 4 + 1]!);
    const recLen = req.recordEnd - req.recordStart;
    if (recLen > 0) {
      buf[pos++] = ITEM_RECORD;
      pos = writeVarint(buf, pos, recLen);
      pos += req.recordBuf.copy(buf, pos, req.recordStart, req.recordEnd);
    }
    const trace = req.trace;
    if (trace !== undefined) {
      buf[pos++] = ITEM_TRACE;
      pos = writeVarint(buf, pos, sizes[i * 4 + 3]!);
      const tp = trace.traceparent;
      if (tp.length > 0) pos = strField(buf, pos, TRACE_PARENT, tp, tp.length);
      const ts = trace.tracestate;
      if (ts.length > 0) pos = strField(buf, pos, TRACE_STATE, ts, utf8Len(ts));
    }
    const guidLen = sizes[i * 4 + 2]!;
    if (guidLen > 0) pos = strField(buf, pos, ITEM_GUID, req.guid, guidLen);
    if (spec) {
      buf[pos++] = ITEM_SPECULATIVE;
      buf[pos++] = 1;
    }
  }
  return buf;
}

// ---- executor → router (ScoreResultBatch with results kept encoded) ----

/**
 * One ScoreResultItem: the item id and the executor's encoded ServingResult (where it sits in the received
 * buffer) with the few fields the router looks at.
 */
export class RawResult {
  id = 0;
  /** False when the item carried no result. */
  present = false;
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  error = '';
  errorCode = 0;
  confidence: number | undefined = undefined;

  decode(): ServingResult {
    return ServingResult.decode(this.buf.subarray(this.start, this.end));
  }
}

/** ServingResult fields: 7 error (string), 8 error_code (int32), 10 confidence (double). */
function scanResult(out: RawResult, buf: Buffer, start: number, end: number): void {
  const r = new Reader(buf, start, end);
  while (r.pos < end) {
    const tag = r.varint32();
    if (tag === RESULT_ERROR) out.error = r.string();
    else if (tag === RESULT_ERROR_CODE) out.errorCode = r.varint64() | 0;
    else if (tag === RESULT_CONFIDENCE) {
      if (r.pos + 8 > end) throw new RangeError('truncated double');
      out.confidence = buf.readDoubleLE(r.pos);
      r.pos += 8;
    } else r.skip(tagWireType(tag));
  }
  out.present = true;
  out.buf = buf;
  out.start = start;
  out.end = end;
}

export function decodeScoreResultBatch(buf: Buffer): RawResult[] {
  const items: RawResult[] = [];
  const r = new Reader(buf);
  while (r.pos < r.end) {
    const tag = r.varint32();
    if (tag !== BATCH_ITEM) {
      r.skip(tagWireType(tag));
      continue;
    }
    const start = r.len();
    const end = r.pos;
    const ir = new Reader(buf, start, end);
    const item = new RawResult();
    while (ir.pos < end) {
      const t = ir.varint32();
      if (t === RESULT_ITEM_ID) item.id = ir.varint64();
      else if (t === RESULT_ITEM_RESULT) {
        const s = ir.len();
        scanResult(item, buf, s, ir.pos);
      } else ir.skip(tagWireType(t));
    }
    items.push(item);
  }
  return items;
}

// ---- router → client (ServingResponse / ServingResponseBatch) ----

/**
 * A response on its way to a client. `raw` is the executor's encoded result, forwarded as is; `result` a
 * result the router made or decoded (router errors, collector decisions).
 */
export interface RoutedResponse {
  guid: string;
  result: ServingResult | undefined;
  raw: RawResult | undefined;
  confidence: number | undefined;
  qualifiers: ServingQualifier[];
}

/** The error of a response, '' when it succeeded. */
export function responseError(r: RoutedResponse): string {
  return r.raw !== undefined ? r.raw.error : r.result !== undefined ? r.result.error : '';
}

export function responseErrorCode(r: RoutedResponse): number {
  return r.raw !== undefined ? r.raw.errorCode : r.result !== undefined ? r.result.errorCode : 0;
}

/** The response as a generated message (decodes a raw result). */
export function toServingResponse(r: RoutedResponse): {
  guid: string;
  result: ServingResult | undefined;
  confidence?: number;
  qualifiers: ServingQualifier[];
} {
  const result = r.raw !== undefined ? r.raw.decode() : r.result;
  return r.confidence !== undefined
    ? { guid: r.guid, result, confidence: r.confidence, qualifiers: r.qualifiers }
    : { guid: r.guid, result, qualifiers: r.qualifiers };
}

/** The encoded result of a router-made response; raw results are copied from their buffer instead. */
function resultBytes(r: RoutedResponse): Uint8Array | undefined {
  if (r.raw === undefined && r.result !== undefined) return ServingResult.encode(r.result).finish();
  return undefined;
}

function resultLen(r: RoutedResponse, encoded: Uint8Array | undefined): number {
  return r.raw !== undefined ? r.raw.end - r.raw.start : encoded !== undefined ? encoded.length : -1;
}

function qualifierSize(q: ServingQualifier): number {
  const k = utf8Len(q.key);
  const v = utf8Len(q.value);
  return (k > 0 ? 1 + varintSize(k) + k : 0) + (v > 0 ? 1 + varintSize(v) + v : 0);
}

function responseSize(r: RoutedResponse, result: Uint8Array | undefined, guidLen: number): number {
  let size = 0;
  if (guidLen > 0) size += 1 + varintSize(guidLen) + guidLen;
  const rl = resultLen(r, result);
  if (rl >= 0) size += 1 + varintSize(rl) + rl;
  if (r.confidence !== undefined) size += 9;
  for (let i = 0; i < r.qualifiers.length; i++) {
    const q = qualifierSize(r.qualifiers[i]!);
    size += 1 + varintSize(q) + q;
  }
  return size;
}

function writeResponse(
  buf: Buffer,
  pos: number,
  r: RoutedResponse,
  result: Uint8Array | undefined,
  guidLen: number,
): number {
  if (guidLen > 0) pos = strField(buf, pos, RESPONSE_GUID, r.guid, guidLen);
  const raw = r.raw;
  if (raw !== undefined) {
    buf[pos++] = RESPONSE_RESULT;
    pos = writeVarint(buf, pos, raw.end - raw.start);
    pos += raw.buf.copy(buf, pos, raw.start, raw.end);
  } else if (result !== undefined) {
    pos = bytesField(buf, pos, RESPONSE_RESULT, result);
  }
  if (r.confidence !== undefined) {
    buf[pos++] = RESPONSE_CONFIDENCE;
    buf.writeDoubleLE(r.confidence, pos);
    pos += 8;
  }
  for (let i = 0; i < r.qualifiers.length; i++) {
    const q = r.qualifiers[i]!;
    buf[pos++] = RESPONSE_QUALIFIER;
    pos = writeVarint(buf, pos, qualifierSize(q));
    if (q.key.length > 0) pos = strField(buf, pos, QUALIFIER_KEY, q.key, utf8Len(q.key));
    if (q.value.length > 0) pos = strField(buf, pos, QUALIFIER_VALUE, q.value, utf8Len(q.value));
  }
  return pos;
}

export function encodeServingResponse(r: RoutedResponse): Buffer {
  const result = resultBytes(r);
  const guidLen = utf8Len(r.guid);
  const buf = Buffer.allocUnsafe(responseSize(r, result, guidLen));
  writeResponse(buf, 0, r, result, guidLen);
  return buf;
}

export function encodeServingResponseBatch(batch: { responses: RoutedResponse[] }): Buffer {
  const rs = batch.responses;
  const n = rs.length;
  const results = new Array<Uint8Array | undefined>(n);
  const sizes = new Array<number>(n * 2);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = rs[i]!;
    const result = resultBytes(r);
    const guidLen = utf8Len(r.guid);
    const size = responseSize(r, result, guidLen);
    results[i] = result;
    sizes[i * 2] = size;
    sizes[i * 2 + 1] = guidLen;
    total += 1 + varintSize(size) + size;
  }
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    buf[pos++] = BATCH_ITEM;
    pos = writeVarint(buf, pos, sizes[i * 2]!);
    pos = writeResponse(buf, pos, rs[i]!, results[i], sizes[i * 2 + 1]!);
  }
  return buf;
}
