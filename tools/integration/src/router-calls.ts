import { credentials, type ServiceError } from '@grpc/grpc-js';
import {
  ModelServingServiceClient,
  inference,
  type DeployModelResponse,
  type GetModelStatusResponse,
  type ServingRequest,
  type ServingResponse,
  type Value,
} from '@modelserving/contracts';
import { defaultChannelOptions } from '@modelserving/transport';

/** Promise wrappers over the router's public API for the integration tests. */
export class RouterCalls {
  readonly native: ModelServingServiceClient;
  readonly oip: inference.GRPCInferenceServiceClient;

  constructor(address: string) {
    this.native = new ModelServingServiceClient(
      address,
      credentials.createInsecure(),
      defaultChannelOptions(),
    );
    this.oip = new inference.GRPCInferenceServiceClient(
      address,
      credentials.createInsecure(),
      defaultChannelOptions(),
    );
  }

  deploy(
    name: string,
    dataType: string,
    content: string | Buffer,
    modelType = 2,
  ): Promise<DeployModelResponse> {
    return new Promise((resolve, reject) =>
      this.native.deployModel(
        {
          model: {
            name,
            description: 'integration',
            dataType,
            modelType,
            data: Buffer.from(content),
            metadata: {},
          },
          wait: true,
          waitTimeoutMs: 20_000,
        },
        (err, res) => (err ? reject(err) : resolve(res!)),
      ),
    );
  }

  undeploy(dataType: string, name: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.native.undeployModel({ dataType, name }, (err) => (err ? reject(err) : resolve())),
    );
  }

  status(dataType: string, name: string): Promise<GetModelStatusResponse> {
    return new Promise((resolve, reject) =>
      this.native.getModelStatus({ dataType, name }, (err, res) => (err ? reject(err) : resolve(res!))),
    );
  }

  setPolicy(dataType: string, decider: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.native.setDataTypePolicy(
        { policy: { dataType, decider, timeoutMs, alwaysSpeculative: false } },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }

  predict(
    dataType: string,
    features: Record<string, number | string>,
    modelName = '',
  ): Promise<ServingResponse> {
    return new Promise((resolve, reject) =>
      this.native.predict(request(dataType, features, '', modelName), (err, res) =>
        err ? reject(err) : resolve(res!),
      ),
    );
  }

  /** Sends every request on one PredictStream and collects the responses by guid. */
  async stream(
    requests: ServingRequest[],
    onSent?: (i: number) => void,
  ): Promise<Map<string, ServingResponse>> {
    const call = this.native.predictStream();
    const out = new Map<string, ServingResponse>();
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (r: ServingResponse) => out.set(r.guid, r));
      call.on('end', resolve);
      call.on('error', reject);
    });
    for (let i = 0; i < requests.length; i++) {
      if (!call.write(requests[i]!)) await new Promise((r) => call.once('drain', r));
      onSent?.(i);
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 1));
    }
    call.end();
    await done;
    return out;
  }

  close(): void {
    this.native.close();
    this.oip.close();
  }
}

export function request(
  dataType: string,
  features: Record<string, number | string>,
  guid = '',
  modelName = '',
): ServingRequest {
  const f: { [k: string]: Value } = {};
  for (const [k, v] of Object.entries(features)) f[k] = typeof v === 'number' ? { number: v } : { string: v };
  return { guid, dataType, data: { features: f, tensors: [] }, modelName, timeoutMs: 0 };
}

export function grpcCode(err: unknown): number | undefined {
  return (err as ServiceError | undefined)?.code;
}
