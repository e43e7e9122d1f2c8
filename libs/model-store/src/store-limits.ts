import { invalidArgument } from '@modelserving/model-core';

/** Size limits shared by every store and the content resolver. */
export interface StoreLimitsOptions {
  /** Inline model data above this size is moved to a blob on publish, so the stream stays small. Default 256 KiB. */
  readonly inlineLimitBytes?: number;
  /** Largest model content accepted anywhere (publish, blobs, resolved locations). Default 256 MiB. */
  readonly maxModelBytes?: number;
}

export interface StoreLimits {
  readonly inlineLimitBytes: number;
  readonly maxModelBytes: number;
}

export const DEFAULT_INLINE_LIMIT_BYTES = 256 * 1024;
export const DEFAULT_MAX_MODEL_BYTES = 256 * 1024 * 1024;

export function resolveStoreLimits(options: StoreLimitsOptions = {}): StoreLimits {
  const inlineLimitBytes = options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES;
  const maxModelBytes = options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES;
  requireNonNegativeInt('inlineLimitBytes', inlineLimitBytes);
  requireNonNegativeInt('maxModelBytes', maxModelBytes);
  return { inlineLimitBytes, maxModelBytes };
}

export function requireNonNegativeInt(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw invalidArgument(`${what} must be a non-negative integer, got ${value}`);
  return value;
}

export function requirePositiveInt(what: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw invalidArgument(`${what} must be a positive integer, got ${value}`);
  return value;
}

/** "12.0 MiB" style sizes for error messages. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}
