import { createHash } from 'node:crypto';
import { invalidArgument } from '@modelserving/model-core';

export const BLOB_PREFIX = 'blob:sha256:';
const BLOB_KEY_RE = /^blob:sha256:([0-9a-f]{64})$/;

/** The content-addressed key of some bytes: `blob:sha256:<hex>`. Equal content, equal key. */
export function blobKeyOf(data: Uint8Array): string {
  return BLOB_PREFIX + createHash('sha256').update(data).digest('hex');
}

export function isBlobKey(key: string): boolean {
  return BLOB_KEY_RE.test(key);
}

/** The hex digest of a blob key; INVALID_ARGUMENT when `key` is not `blob:sha256:<64 hex>`. */
export function blobDigest(key: string): string {
  const m = BLOB_KEY_RE.exec(key);
  if (!m)
    throw invalidArgument(`'${key}' is not a blob key (expected ${BLOB_PREFIX}<64 lowercase hex digits>)`);
  return m[1] as string;
}
