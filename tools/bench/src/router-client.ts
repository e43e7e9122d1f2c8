import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  ModelServingServiceClient,
  ModelServingServiceService,
  ServingRequest,
  type DeployModelResponse,
} from '@modelserving/contracts';
import { defaultChannelOptions } from '@modelserving/transport';

export function routerClient(address: string): ModelServingServiceClient {
  return new ModelServingServiceClient(address, credentials.createInsecure(), defaultChannelOptions());
}

/**
 * A client for latency measurements that does as little as possible per call, so its own CPU and garbage
 * (it shares 2 cores with the servers it measures) disturb the servers as little as possible: requests
 * are encoded once up front and responses are not decoded (a failed request is still seen: the router
 * answers a failed record with a non-OK status). Transparent retries are off: a retried call would hide a
 * failure and measure two attempts as one.
 */
export class RawPredictClient {
  private readonly client: ModelServingServiceClient;
  private static readonly path = ModelServingServiceService.predict.path;

  constructor(address: string) {
    this.client = new ModelServingServiceClient(address, credentials.createInsecure(), {
      ...defaultChannelOptions(),
      'grpc.enable_retries': 0,
    });
  }

  /** Encodes requests once, for `predict`. */
  static encode(requests: readonly ServingRequest[]): Buffer[] {
    return requests.map((r) => Buffer.from(ServingRequest.encode(r).finish()));
  }

  /** Sends one encoded ServingRequest; `done` gets the error (null on success). */
  predict(encoded: Buffer, done: (err: ServiceError | null) => void): void {
    this.client.makeUnaryRequest<Buffer, Buffer>(RawPredictClient.path, identity, identity, encoded, done);
  }

  close(): void {
    this.client.close();
  }
}

function identity(b: Buffer): Buffer {
  return b;
}

/** Deploys a PMML model and waits until its owners serve it (or report why not). */
export function deployPmml(
  client: ModelServingServiceClient,
  name: string,
  data: Buffer,
): Promise<DeployModelResponse> {
  return new Promise((resolve, reject) => {
    client.deployModel(
      {
        model: { name, description: 'bench', dataType: 'wine', modelType: 2, data, metadata: {} },
        wait: true,
        waitTimeoutMs: 30_000,
      },
      (err: ServiceError | null, res?: DeployModelResponse) => {
        if (err) return reject(err);
        const failed = res!.statuses.find((s) => s.error && s.state !== 2);
        if (failed) return reject(new Error(`deploy failed on ${failed.executor}: ${failed.error}`));
        resolve(res!);
      },
    );
  });
}
