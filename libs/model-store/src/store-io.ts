import { open } from 'node:fs/promises';
import { Code, ServingError } from '@modelserving/model-core';

/** A file-system failure as a gRPC status: permissions → PERMISSION_DENIED, full disk → RESOURCE_EXHAUSTED. */
export function ioError(message: string, cause: unknown): ServingError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  const grpc =
    code === 'EACCES' || code === 'EPERM'
      ? Code.PERMISSION_DENIED
      : code === 'ENOSPC'
        ? Code.RESOURCE_EXHAUSTED
        : Code.UNAVAILABLE;
  return new ServingError(grpc, `${message}: ${code ?? (cause as Error)?.message ?? 'unknown error'}`, {
    cause,
  });
}

/** Makes a rename or a new file durable; not every platform/file system supports fsync on a directory. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // best effort
  }
}
