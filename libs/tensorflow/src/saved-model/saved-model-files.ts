import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { invalidArgument } from '@modelserving/model-core';
import { isTar, readTar } from '../archive/tar';
import { isZip, readZip } from '../archive/zip';

/**
 * The files of a SavedModel directory, keyed by path relative to it (`saved_model.pb`, `variables/…`), or
 * of a TensorFlow.js model directory (`model.json`, weight shards).
 */
export type SavedModelFiles = ReadonlyMap<string, Uint8Array>;

const MAX_FILES = 10_000;

/**
 * Collects a SavedModel's files from what the executor hands the factory:
 *  - content that is a tar (optionally gzipped) or zip of the directory (any leading folder is stripped);
 *  - content that is saved_model.pb itself, with `location` naming that file on local disk (the variables
 *    are read from its sibling `variables/` directory); likewise model.json, whose weight files are read
 *    from beside it;
 *  - a `location` that is a local directory (read here, since the content fetcher only reads files).
 */
export function savedModelFiles(content: Uint8Array, location: string | undefined): SavedModelFiles {
  if (content.length > 0) {
    let bytes = content;
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = new Uint8Array(gunzipSync(bytes));
    if (isTar(bytes)) return rooted(readTar(bytes), 'tar archive');
    if (isZip(bytes)) return rooted(readZip(bytes), 'zip archive');
    const dir = localDir(location, true);
    if (isJson(bytes)) {
      // model.json sent inline: its weight files are its siblings at `location`.
      const files = new Map<string, Uint8Array>([['model.json', bytes]]);
      if (dir)
        for (const p of weightPaths(bytes)) {
          const full = join(dir, p);
          if (!files.has(p) && existsSync(full)) files.set(p, readFileSync(full));
        }
      return files;
    }
    const files = new Map<string, Uint8Array>([['saved_model.pb', bytes]]);
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
  if (entries.length > MAX_FILES)
    throw invalidArgument(`SavedModel: ${dir} holds more than ${MAX_FILES} files`);
  for (const e of entries) {
    const full = join(dir, e);
    if (!statSync(full).isFile()) continue;
    const rel = relative(dir, full).split(sep).join('/');
    out.set(prefix ? `${prefix}/${rel}` : rel, readFileSync(full));
  }
  return out;
}

/** The file that marks a model directory: a SavedModel's, or a TensorFlow.js model's. */
const MARKERS = ['saved_model.pb', 'model.json'];

/** Re-roots archive entries at the directory holding saved_model.pb or model.json (archives often add a top folder). */
function rooted(files: Map<string, Uint8Array>, what: string): SavedModelFiles {
  const marked = [...files.keys()].filter((k) => MARKERS.some((m) => k === m || k.endsWith(`/${m}`)));
  if (marked.length === 0) {
    throw invalidArgument(
      `SavedModel: the ${what} has no saved_model.pb or model.json (files: ${[...files.keys()].slice(0, 10).join(', ')})`,
    );
  }
  // The shallowest marker wins; at equal depth a SavedModel wins over a model.json.
  const depth = (k: string) => k.split('/').length;
  marked.sort(
    (a, b) => depth(a) - depth(b) || Number(a.endsWith('model.json')) - Number(b.endsWith('model.json')),
  );
  const root = marked[0]!.slice(0, marked[0]!.lastIndexOf('/') + 1);
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of files) if (k.startsWith(root)) out.set(k.slice(root.length), v);
  return out;
}

/** model.json content starts with `{` (after optional whitespace or a BOM); a protobuf never does. */
function isJson(b: Uint8Array): boolean {
  for (const x of b.subarray(0, 16)) {
    if (x === 0x7b) return true;
    if (x !== 0x20 && x !== 0x0a && x !== 0x0d && x !== 0x09 && x !== 0xef && x !== 0xbb && x !== 0xbf)
      return false;
  }
  return false;
}

/** The relative weight file paths a model.json names (bad JSON is reported later, by the model reader). */
function weightPaths(json: Uint8Array): string[] {
  try {
    const m = JSON.parse(new TextDecoder('utf-8').decode(json)) as {
      weightsManifest?: { paths?: unknown[] }[];
    };
    const paths = (m.weightsManifest ?? [])
      .flatMap((g) => g.paths ?? [])
      .filter((p): p is string => typeof p === 'string');
    return paths
      .map((p) => p.replace(/^\.\//, ''))
      .filter((p) => !p.startsWith('/') && !p.split('/').includes('..') && !/^[a-z][a-z0-9+.-]*:/i.test(p));
  } catch {
    return [];
  }
}
