import { credentials, type ServiceError } from '@grpc/grpc-js';
import { ModelServingServiceClient, type DeployModelResponse } from '@modelserving/contracts';
import { defaultChannelOptions } from '@modelserving/transport';

export function routerClient(address: string): ModelServingServiceClient {
  return new ModelServingServiceClient(address, credentials.createInsecure(), defaultChannelOptions());
}

/** Deploys a PMML model and waits until its owners serve it (or report why not). */
export function deployPmml(client: ModelServingServiceClient, name: string, data: Buffer): Promise<DeployModelResponse> {
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
