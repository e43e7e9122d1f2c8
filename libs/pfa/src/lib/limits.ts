/**
 * Bounds of Avro long. Longs are JS numbers (exact to 2^53), so these are the nearest doubles, 2^63 and
 * -2^63: a result at or beyond them has overflowed 64 bits.
 */
export const LONG_MAX = 2 ** 63;
export const LONG_MIN = -(2 ** 63);
/** The largest double that is still a valid long (2^63 - 1024). */
export const LONG_MAX_DOUBLE = 2 ** 63 - 1024;
