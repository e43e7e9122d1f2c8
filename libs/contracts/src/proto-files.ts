import { join, resolve } from 'node:path';

/** Root of the .proto sources (shipped beside the libs, also in the Docker images). */
export function protoDir(): string {
  return process.env['MODELSERVING_PROTO_DIR'] ?? resolve(__dirname, '../../../proto');
}

/** Proto files that define each public package, for server reflection. */
export const PROTO_FILES = {
  serving: 'modelserving/v1/serving_service.proto',
  internal: 'modelserving/v1/internal.proto',
  inference: 'inference/open_inference_grpc.proto',
} as const;

export function protoPath(file: string): string {
  return join(protoDir(), file);
}
