/** TensorFlow's DataType enum values that this library reads (types.proto). `_REF` types are +100. */
export const DType = {
  DT_INVALID: 0,
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_UINT8: 4,
  DT_INT16: 5,
  DT_INT8: 6,
  DT_STRING: 7,
  DT_INT64: 9,
  DT_BOOL: 10,
  DT_UINT16: 17,
  DT_HALF: 19,
  DT_RESOURCE: 20,
  DT_UINT32: 22,
  DT_UINT64: 23,
} as const;

const NAMES = new Map<number, string>(Object.entries(DType).map(([k, v]) => [v, k]));

/** `DT_FLOAT`, also for reference types (`DT_FLOAT_REF` is 101). */
export function dtypeName(dtype: number): string {
  const base = dtype > 100 ? dtype - 100 : dtype;
  return NAMES.get(base) ?? `DT_${dtype}`;
}

/** Strips the `_REF` offset that TF1 variables carry. */
export function baseDtype(dtype: number): number {
  return dtype > 100 ? dtype - 100 : dtype;
}

/** Bytes per element of a fixed-size dtype, 0 when not fixed size. */
export function dtypeSize(dtype: number): number {
  switch (baseDtype(dtype)) {
    case DType.DT_FLOAT:
    case DType.DT_INT32:
    case DType.DT_UINT32:
      return 4;
    case DType.DT_DOUBLE:
    case DType.DT_INT64:
    case DType.DT_UINT64:
      return 8;
    case DType.DT_INT16:
    case DType.DT_UINT16:
    case DType.DT_HALF:
      return 2;
    case DType.DT_INT8:
    case DType.DT_UINT8:
    case DType.DT_BOOL:
      return 1;
    default:
      return 0;
  }
}
