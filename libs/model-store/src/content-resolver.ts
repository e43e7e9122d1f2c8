import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { ModelDescriptor } from '@modelserving/contracts';
import { Code, ServingError, modelKey } from '@modelserving/model-core';
import { blobDigest } from './blob-key';
import { parseLocation } from './location';
import type { ModelStore } from './model-store';
import { DEFAULT_MAX_MODEL_BYTES, formatBytes, requirePositiveInt } from './store-limits';

export interface ContentResolverOptions {
  /** Base of relative file paths. Default: the process's working directory. */
  readonly baseDir?: string;
  /** Whole-download timeout of http(s) locations, ms. Default 30 s. */
  readonly timeoutMs?: number;
  /** Largest content accepted; downloads are aborted as soon as they pass it. Default 256 MiB. */
  readonly maxModelBytes?: number;
  /** Cancels a download (e.g. the model was undeployed meanwhile). */
  readonly signal?: AbortSignal;
  /** fetch implementation, for tests and proxies. Default the global fetch. */
  readonly fetch?: typeof fetch;
}

interface ResolverConfig {
  readonly baseDir: string;
  readonly timeoutMs: number;
  readonly maxModelBytes: number;
  readonly signal: AbortSignal | undefined;
  readonly fetch: typeof fetch;
}

function resolveConfig(options: ContentResolverOptions): ResolverConfig {
  return {
    baseDir: options.baseDir ?? process.cwd(),
    timeoutMs: requirePositiveInt('timeoutMs', options.timeoutMs ?? 30_000),
    maxModelBytes: requirePositiveInt('maxModelBytes', options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES),
    signal: options.signal,
    fetch: options.fetch ?? fetch,
  };
}

/**
 * The content of a model: its inline `data`, or the bytes its `location` points at (a `blob:` key in the
 * store, a file path or `file://` URL, an http(s) URL). Every failure is a ServingError naming the model and
 * the location: NOT_FOUND (missing file/blob, HTTP 404), INVALID_ARGUMENT (bad URL or scheme),
 * RESOURCE_EXHAUSTED (too large), UNAVAILABLE (network), DEADLINE_EXCEEDED (download too slow).
 */
export async function resolveContent(
  descriptor: ModelDescriptor,
  store: ModelStore,
  options: ContentResolverOptions = {},
): Promise<Uint8Array> {
  const config = resolveConfig(options);
  const key = modelKey(descriptor.dataType, descriptor.name);
  if (descriptor.data !== undefined && descriptor.data.length > 0) {
    checkSize(key, 'inline data', descriptor.data.length, config.maxModelBytes);
    return descriptor.data;
  }
  const location = descriptor.location ?? '';
  if (location === '')
    throw new ServingError(Code.INVALID_ARGUMENT, `model ${key} has neither data nor location`);
  const fail = (code: Code, reason: string, cause?: unknown) =>
    new ServingError(code, `model ${key}: cannot load '${location}': ${reason}`, { cause });

  let parsed;
  try {
    parsed = parseLocation(location);
  } catch (err) {
    throw fail(Code.INVALID_ARGUMENT, (err as Error).message, err);
  }
  switch (parsed.kind) {
    case 'blob':
      return loadBlob(parsed.key, store, config, fail);
    case 'file':
      return loadFile(parsed.relative ? resolvePath(config.baseDir, parsed.path) : parsed.path, config, fail);
    case 'http':
      return download(parsed.url, config, fail);
  }
}

/** resolveContent with fixed options, for components that resolve many descriptors. */
export class ContentResolver {
  constructor(
    private readonly store: ModelStore,
    private readonly options: ContentResolverOptions = {},
  ) {}

  resolve(descriptor: ModelDescriptor, signal?: AbortSignal): Promise<Uint8Array> {
    return resolveContent(descriptor, this.store, signal ? { ...this.options, signal } : this.options);
  }
}

type Fail = (code: Code, reason: string, cause?: unknown) => ServingError;

async function loadBlob(
  key: string,
  store: ModelStore,
  config: ResolverConfig,
  fail: Fail,
): Promise<Uint8Array> {
  let data: Uint8Array;
  try {
    data = await store.getBlob(key);
  } catch (err) {
    const e = ServingError.from(err, Code.UNAVAILABLE);
    throw fail(e.code, e.message, err);
  }
  if (data.length > config.maxModelBytes)
    throw fail(Code.RESOURCE_EXHAUSTED, tooLarge(data.length, config.maxModelBytes));
  // The key promises the content; a mismatch means the store handed back something else.
  if (createHash('sha256').update(data).digest('hex') !== blobDigest(key)) {
    throw fail(Code.DATA_LOSS, 'the blob content does not match its sha256 key');
  }
  return data;
}

async function loadFile(path: string, config: ResolverConfig, fail: Fail): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    // A directory (e.g. a TensorFlow SavedModel) is read by the model's factory from `location` itself:
    // it may hold many files of which the factory needs only some. Its content here is empty.
    if (info.isDirectory()) return new Uint8Array(0);
    if (!info.isFile()) throw fail(Code.INVALID_ARGUMENT, `${path} is not a regular file`);
    if (info.size > config.maxModelBytes)
      throw fail(Code.RESOURCE_EXHAUSTED, tooLarge(info.size, config.maxModelBytes));
    const data = await readFile(path, config.signal ? { signal: config.signal } : {});
    // The file may have grown between stat and read.
    if (data.length > config.maxModelBytes)
      throw fail(Code.RESOURCE_EXHAUSTED, tooLarge(data.length, config.maxModelBytes));
    return data;
  } catch (err) {
    if (err instanceof ServingError) throw err;
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT' || errno === 'ENOTDIR')
      throw fail(Code.NOT_FOUND, `file ${path} does not exist`, err);
    if (errno === 'EACCES' || errno === 'EPERM')
      throw fail(Code.PERMISSION_DENIED, `file ${path} is not readable`, err);
    if ((err as Error).name === 'AbortError') throw fail(Code.CANCELLED, 'cancelled', err);
    throw fail(Code.UNAVAILABLE, `cannot read ${path}: ${(err as Error).message}`, err);
  }
}

async function download(url: URL, config: ResolverConfig, fail: Fail): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(config.timeoutMs);
  const signal = config.signal ? AbortSignal.any([config.signal, timeout]) : timeout;
  const networkError = (err: unknown): ServingError => {
    if (err instanceof ServingError) return err;
    if (timeout.aborted)
      return fail(Code.DEADLINE_EXCEEDED, `no complete response within ${config.timeoutMs} ms`, err);
    if (config.signal?.aborted) return fail(Code.CANCELLED, 'cancelled', err);
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    return fail(
      Code.UNAVAILABLE,
      `request failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`,
      err,
    );
  };

  let response: Response;
  try {
    response = await config.fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    throw networkError(err);
  }
  try {
    if (!response.ok)
      throw fail(httpStatusCode(response.status), `HTTP ${response.status} ${response.statusText}`.trim());
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > config.maxModelBytes) {
      throw fail(Code.RESOURCE_EXHAUSTED, tooLarge(declared, config.maxModelBytes));
    }
    if (response.body === null) return new Uint8Array(0);
    // Stream and count: Content-Length may be absent or wrong, and we must not buffer more than the limit.
    const chunks: Uint8Array[] = [];
    let total = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > config.maxModelBytes) {
        await reader.cancel().catch(() => undefined);
        throw fail(Code.RESOURCE_EXHAUSTED, `${tooLarge(total, config.maxModelBytes)} (download aborted)`);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    // Release the connection whatever went wrong.
    await response.body?.cancel().catch(() => undefined);
    throw networkError(err);
  }
}

function httpStatusCode(status: number): Code {
  if (status === 404 || status === 410) return Code.NOT_FOUND;
  if (status === 401) return Code.UNAUTHENTICATED;
  if (status === 403) return Code.PERMISSION_DENIED;
  if (status === 408 || status === 429 || status >= 500) return Code.UNAVAILABLE;
  return Code.FAILED_PRECONDITION;
}

function checkSize(key: string, what: string, size: number, max: number): void {
  if (size > max)
    throw new ServingError(Code.RESOURCE_EXHAUSTED, `model ${key}: ${what} is ${tooLarge(size, max)}`);
}

function tooLarge(size: number, max: number): string {
  return `${formatBytes(size)}, larger than the limit of ${formatBytes(max)} (maxModelBytes)`;
}
