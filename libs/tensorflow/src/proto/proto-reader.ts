import { invalidArgument } from '@modelserving/model-core';
import { WireType, tagField, tagWireType } from '@modelserving/protobuf-wire';

const utf8 = new TextDecoder('utf-8');

/**
 * A minimal protobuf wire-format reader. TensorFlow's protos are decoded by hand with it so the library
 * needs neither protoc nor a generated-code dependency; every read is bounds-checked and a malformed or
 * truncated message throws INVALID_ARGUMENT naming `what` was being decoded.
 */
export class ProtoReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    readonly what: string,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  fail(reason: string): never {
    throw invalidArgument(`${this.what}: ${reason} at byte ${this.pos} (truncated or not a protobuf?)`);
  }

  /** Reads a field key; returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const key = this.varint();
    const field = tagField(key);
    if (field === 0) this.fail('field number 0');
    return [field, tagWireType(key)];
  }

  /** An unsigned varint as a JS number (exact up to 2^53; larger values lose precision, never wrap). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A signed int64/int32 varint (two's complement: negative values use ten bytes). */
  int64(): number {
    const start = this.pos;
    const u = this.varint();
    if (this.pos - start < 10) return u;
    // Ten-byte varints are negative numbers: decode exactly with BigInt (float math would round -1 to 0).
    let b = 0n;
    for (let i = start + 9; i >= start; i--) b = (b << 7n) | BigInt(this.buf[i]! & 0x7f);
    return Number(BigInt.asIntN(64, b));
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  fixed32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  fixed64(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi * 2 ** 32 + lo;
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    const len = this.varint();
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** A reader over an embedded message. */
  sub(what: string): ProtoReader {
    const len = this.varint();
    this.need(len);
    const r = new ProtoReader(this.buf, `${this.what} > ${what}`, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  /** Repeated scalar fields may be packed (LEN) or not: reads either form into `out`. */
  repeated(wireType: number, read: (r: ProtoReader) => number, out: number[]): void {
    if (wireType !== WireType.LEN) {
      out.push(read(this));
      return;
    }
    const len = this.varint();
    this.need(len);
    const r = new ProtoReader(this.buf, this.what, this.pos, this.pos + len);
    while (!r.done) out.push(read(r));
    this.pos += len;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.I64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.LEN: {
        const len = this.varint();
        this.need(len);
        this.pos += len;
        return;
      }
      case WireType.I32:
        this.need(4);
        this.pos += 4;
        return;
      case WireType.SGROUP: {
        // Groups are obsolete but legal: skip to the matching EGROUP.
        for (;;) {
          const [, wt] = this.tag();
          if (wt === WireType.EGROUP) return;
          this.skip(wt);
        }
      }
      default:
        this.fail(`unknown wire type ${wireType}`);
    }
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) this.fail(`needs ${n} more bytes, ${this.end - this.pos} left`);
  }
}
