import { isAbsolute } from 'node:path';
import { invalidArgument } from '@modelserving/model-core';
import { blobDigest } from './blob-key';

/** What a descriptor's `location` points at. */
export type ParsedLocation =
  | { readonly kind: 'blob'; readonly key: string }
  | { readonly kind: 'file'; readonly path: string; readonly relative: boolean }
  | { readonly kind: 'http'; readonly url: URL };

// `scheme://…` is a URL; anything else that is not `blob:` is a path. Paths may legitimately contain ':'
// (model names do), so a bare `name:` prefix is not taken for a scheme.
const URL_SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * Classifies a location without touching the file system or network, so bad locations are rejected at
 * publish time rather than by every executor later. INVALID_ARGUMENT for malformed URLs and other schemes.
 */
export function parseLocation(location: string): ParsedLocation {
  if (location.length === 0) throw invalidArgument('model location is empty');
  if (location.startsWith('blob:')) {
    blobDigest(location);
    return { kind: 'blob', key: location };
  }
  const scheme = URL_SCHEME_RE.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'file', path: location, relative: !isAbsolute(location) };
  let url: URL;
  try {
    url = new URL(location);
  } catch (err) {
    throw invalidArgument(`model location '${location}' is not a valid URL`, err);
  }
  if (scheme === 'file') {
    if (url.host !== '' && url.host !== 'localhost') {
      throw invalidArgument(`model location '${location}': file URLs must not name a remote host`);
    }
    return { kind: 'file', path: decodeURIComponent(url.pathname), relative: false };
  }
  if (scheme === 'http' || scheme === 'https') return { kind: 'http', url };
  throw invalidArgument(
    `model location '${location}' has unsupported scheme '${scheme}:' (use a file path, file://, http(s):// or blob:sha256:…)`,
  );
}
