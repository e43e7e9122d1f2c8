import { describe, expect, it } from 'vitest';
import { WireType, fieldTag, tagField, tagWireType } from './wire-type';

describe('protobuf wire vocabulary', () => {
  it('has the wire type numbers of the protobuf encoding spec', () => {
    expect(WireType).toEqual({ VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 });
  });

  it('builds tags as field << 3 | wire type and splits them back', () => {
    // Known bytes: field 1 string = 0x0a, field 5 varint = 0x28, field 10 double = 0x51.
    expect(fieldTag(1, WireType.LEN)).toBe(0x0a);
    expect(fieldTag(5, WireType.VARINT)).toBe(0x28);
    expect(fieldTag(10, WireType.I64)).toBe(0x51);
    expect(fieldTag(2, WireType.I32)).toBe(0x15);
    const max = 2 ** 29 - 1;
    const t = fieldTag(max, WireType.LEN);
    expect(t).toBeGreaterThan(0);
    expect(tagField(t)).toBe(max);
    expect(tagWireType(t)).toBe(WireType.LEN);
  });
});
