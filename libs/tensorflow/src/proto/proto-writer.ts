import { WireType, fieldTag } from '@modelserving/protobuf-wire';

/**
 * A minimal protobuf wire-format writer: the counterpart of ProtoReader, used to build GraphDefs and
 * SavedModels in tests (and by callers that generate graphs) without protoc.
 */
export class ProtoWriter {
  private chunks: number[] = [];

  varint(field: number, value: number): this {
    this.key(field, WireType.VARINT);
    this.rawVarint(value);
    return this;
  }

  /** A signed int64 varint (negative values take ten bytes, as in protobuf). */
  int64(field: number, value: number): this {
    this.key(field, WireType.VARINT);
    this.rawVarint(value);
    return this;
  }

  bool(field: number, value: boolean): this {
    return this.varint(field, value ? 1 : 0);
  }

  fixed32(field: number, value: number): this {
    this.key(field, WireType.I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    this.chunks.push(...b);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, WireType.I32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.chunks.push(...b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, WireType.LEN);
    this.rawVarint(value.length);
    for (const b of value) this.chunks.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const v = new DataView(b.buffer);
    values.forEach((x, i) => v.setFloat32(i * 4, x, true));
    return this.bytes(field, b);
  }

  packedVarints(field: number, values: readonly number[]): this {
    const w = new ProtoWriter();
    for (const x of values) w.rawVarint(x);
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  private key(field: number, wireType: WireType): void {
    this.rawVarint(fieldTag(field, wireType));
  }

  rawVarint(value: number): void {
    if (value < 0) {
      // Two's complement over 64 bits needs exact integer arithmetic.
      let b = BigInt.asUintN(64, BigInt(value));
      while (b >= 0x80n) {
        this.chunks.push(Number(b & 0x7fn) | 0x80);
        b >>= 7n;
      }
      this.chunks.push(Number(b));
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.chunks.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.chunks.push(v);
  }
}
