export { WireType, WIRE_TYPE_BITS, WIRE_TYPE_MASK, fieldTag, tagField, tagWireType } from './wire-type';
