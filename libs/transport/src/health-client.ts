import {
  credentials,
  loadPackageDefinition,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientReadableStream,
  type GrpcObject,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** A grpc.health.v1.Health client (statuses as their enum names: 'SERVING', 'NOT_SERVING', ...). */
export type HealthClient = {
  watch(req: { service: string }): ClientReadableStream<{ status: string }>;
  check(
    req: { service: string },
    opts: { deadline: number },
    cb: (e: ServiceError | null, r?: { status: string }) => void,
  ): void;
  close(): void;
};

let ctor:
  (new (address: string, creds: ChannelCredentials, options?: ChannelOptions) => HealthClient) | undefined;

function healthClientCtor() {
  if (!ctor) {
    const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String })) as GrpcObject;
    const v1 = ((pkg['grpc'] as GrpcObject)['health'] as GrpcObject)['v1'] as GrpcObject;
    ctor = v1['Health'] as unknown as typeof ctor;
  }
  return ctor!;
}

/** A client of a server's standard health service, from grpc-health-check's own health.proto. */
export function createHealthClient(
  address: string,
  creds: ChannelCredentials = credentials.createInsecure(),
  options: ChannelOptions = {},
): HealthClient {
  const Health = healthClientCtor();
  return new Health(address, creds, options);
}

/** Asks a server's standard health service; resolves 'SERVING', 'NOT_SERVING', ... or rejects. */
export function checkHealth(address: string, service = '', timeoutMs = 2_000): Promise<string> {
  const client = createHealthClient(address);
  return new Promise<string>((resolve, reject) => {
    client.check({ service }, { deadline: Date.now() + timeoutMs }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res?.status ?? 'UNKNOWN');
    });
  });
}

/** Polls until the server reports SERVING or the timeout passes. */
export async function waitForServing(address: string, service = '', timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if ((await checkHealth(address, service, 1_000)) === 'SERVING') return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${address} did not become SERVING within ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}
