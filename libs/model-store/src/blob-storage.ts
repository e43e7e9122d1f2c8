import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Code, ServingError } from '@modelserving/model-core';
import { blobDigest } from './blob-key';

/** Where the embedded store keeps blob bytes. Keys are already validated `blob:sha256:<hex>`. */
export interface BlobStorage {
  put(key: string, data: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  has(key: string): Promise<boolean>;
}

export class MemoryBlobStorage implements BlobStorage {
  private readonly blobs = new Map<string, Uint8Array>();

  async put(key: string, data: Uint8Array): Promise<void> {
    // Copy: the caller may reuse its buffer, and blobs are immutable by definition.
    if (!this.blobs.has(key)) this.blobs.set(key, Buffer.from(data));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.blobs.get(key);
  }

  async has(key: string): Promise<boolean> {
    return this.blobs.has(key);
  }
}

/**
 * One file per blob, named by its digest, in a directory next to the log. Written to a temp file and renamed
 * so a crash never leaves a truncated blob under a valid name (the name is a promise about the content).
 */
export class DirectoryBlobStorage implements BlobStorage {
  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<DirectoryBlobStorage> {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw new ServingError(
        Code.UNAVAILABLE,
        `cannot create blob directory ${dir}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    return new DirectoryBlobStorage(dir);
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    if (await this.has(key)) return;
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(tmp, data, { flush: true });
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      const code =
        (err as NodeJS.ErrnoException).code === 'ENOSPC' ? Code.RESOURCE_EXHAUSTED : Code.UNAVAILABLE;
      throw new ServingError(code, `cannot write blob ${key} to ${this.dir}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new ServingError(
        Code.UNAVAILABLE,
        `cannot read blob ${key} from ${this.dir}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
  }

  private pathOf(key: string): string {
    return join(this.dir, blobDigest(key));
  }
}
