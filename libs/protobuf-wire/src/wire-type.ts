/**
 * The protobuf wire-format vocabulary (https://protobuf.dev/programming-guides/encoding/), defined once
 * for every hand-written codec in the project: the router's pass-through codec and the TensorFlow
 * GraphDef/SavedModel reader and writer. Only names and tag arithmetic live here; each codec keeps its own
 * reader, tuned for what it decodes.
 */

/** Wire types: the low three bits of a field's tag. */
export const WireType = {
  VARINT: 0,
  /** 8 bytes little-endian: fixed64, sfixed64, double. */
  I64: 1,
  /** Length-delimited: string, bytes, embedded messages, packed repeated fields. */
  LEN: 2,
  /** Obsolete groups; still legal on the wire, so readers must be able to skip them. */
  SGROUP: 3,
  EGROUP: 4,
  /** 4 bytes little-endian: fixed32, sfixed32, float. */
  I32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

/** How many low bits of a tag hold the wire type. */
export const WIRE_TYPE_BITS = 3;
/** `tag & WIRE_TYPE_MASK` is the tag's wire type. */
export const WIRE_TYPE_MASK = 0b111;

/**
 * A field's tag, `field << 3 | wireType`. Multiplication instead of a shift keeps field numbers above 2^28
 * (up to the protobuf maximum 2^29 - 1) from overflowing into the sign bit.
 */
export function fieldTag(field: number, wireType: WireType): number {
  return field * 8 + wireType;
}

/** The wire type of a decoded tag. */
export function tagWireType(tag: number): number {
  return tag & WIRE_TYPE_MASK;
}

/** The field number of a decoded tag (0 is not a valid field number; readers reject it). */
export function tagField(tag: number): number {
  return Math.floor(tag / 8);
}
