import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { invalidArgument } from '@modelserving/model-core';
import { isTar, readTar } from '../archive/tar';
import { isZip, readZip } from '../archive/zip';

/** The files of a SavedModel directory, keyed by path relative to it (`saved_model.pb`, `variables/…`). */
export type SavedModelFiles = ReadonlyMap<string, Uint8Array>;

const MAX_FILES = 10_000;

/**
 * Collects a SavedModel's files from what the executor hands the factory:
 *  - content that is a tar (optionally gzipped) or zip of the directory (any leading folder is stripped);
 *  - content that is saved_model.pb itself, with `location` naming that file on local disk (the variables
 *    are read from its sibling `variables/` directory);
 *  - a `location` that is a local directory (read here, since the content fetcher only reads files).
 */
export function savedModelFiles(content: Uint8Array, location: string | undefined): SavedModelFiles {
  if (content.length > 0) {
    let bytes = content;
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = new Uint8Array(gunzipSync(bytes));
    if (isTar(bytes)) return rooted(readTar(bytes), 'tar archive');
    if (isZip(bytes)) return rooted(readZip(bytes), 'zip archive');
    const files = new Map<string, Uint8Array>([['saved_model.pb', bytes]]);
    const dir = localDir(location, true);
    if (dir) for (const [k, v] of readDir(join(dir, 'variables'), 'variables')) files.set(k, v);
    return files;
  }
  const dir = localDir(location, false);
  if (!dir) throw invalidArgument('SavedModel: no content and no local directory location');
  return readDir(dir, '');
}

/** The local directory behind `location` (its parent when it names a file and `parentOfFile`), if any. */
function localDir(location: string | undefined, parentOfFile: boolean): string | undefined {
  // URLs and store keys (`blob:`, `https:`) are not local paths; `file://` is.
  if (!location || /^(?!file:)[a-z][a-z0-9+.-]+:/i.test(location)) return undefined;
  const path = location.replace(/^file:\/\//, '');
  try {
    const st = statSync(path);
    if (st.isDirectory()) return path;
    if (st.isFile() && parentOfFile) return dirname(path);
  } catch {
    return undefined;
  }
  return undefined;
}

function readDir(dir: string, prefix: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return out;
  }
  if (entries.length > MAX_FILES) throw invalidArgument(`SavedModel: ${dir} holds more than ${MAX_FILES} files`);
  for (const e of entries) {
    const full = join(dir, e);
    if (!statSync(full).isFile()) continue;
    const rel = relative(dir, full).split(sep).join('/');
    out.set(prefix ? `${prefix}/${rel}` : rel, readFileSync(full));
  }
  return out;
}

/** Re-roots archive entries at the directory holding saved_model.pb (archives often add a top folder). */
function rooted(files: Map<string, Uint8Array>, what: string): SavedModelFiles {
  const pbs = [...files.keys()].filter((k) => k === 'saved_model.pb' || k.endsWith('/saved_model.pb'));
  if (pbs.length === 0) throw invalidArgument(`SavedModel: the ${what} has no saved_model.pb (files: ${[...files.keys()].slice(0, 10).join(', ')})`);
  pbs.sort((a, b) => a.length - b.length);
  const root = pbs[0]!.slice(0, -'saved_model.pb'.length);
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of files) if (k.startsWith(root)) out.set(k.slice(root.length), v);
  return out;
}
