import { credentials, Metadata, type ClientUnaryCall, type ServiceError } from '@grpc/grpc-js';
import {
  ModelServingServiceClient,
  type DataTypePolicy,
  type DeployModelRequest,
  type DeployModelResponse,
  type DeploymentsStateResponse,
  type GetModelStatusResponse,
  type GetSpeculativeStatsResponse,
  type ListModelsResponse,
  type ServingRequest,
  type ServingResponse,
  type SetDataTypePolicyResponse,
  type UndeployModelResponse,
} from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';
import { defaultChannelOptions, fromGrpcError } from '@modelserving/transport';

type Callback<T> = (err: ServiceError | null, res: T) => void;
type UnaryMethod<Req, Res> = (
  req: Req,
  md: Metadata,
  opts: { deadline: number },
  cb: Callback<Res>,
) => ClientUnaryCall;

/**
 * The router's public API as promises. Every call has a deadline, and a failed call rejects with a
 * ServingError carrying the gRPC status, so the CLI can print `error: <CODE>: <message>`.
 */
export class RouterClient {
  readonly raw: ModelServingServiceClient;

  constructor(
    readonly address: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.raw = new ModelServingServiceClient(address, credentials.createInsecure(), defaultChannelOptions());
  }

  private call<Req, Res>(method: UnaryMethod<Req, Res>, req: Req, timeoutMs = this.timeoutMs): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      method.call(this.raw, req, new Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        if (err) reject(this.callError(err));
        else resolve(res);
      });
    });
  }

  /** The call's status as a ServingError; an unreachable router is named, grpc-js' channel notes trimmed. */
  private callError(err: ServiceError): ServingError {
    const e = fromGrpcError(err);
    if (
      e.code !== Code.UNAVAILABLE ||
      !/No connection established|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|Name resolution failed/.test(e.message)
    )
      return e;
    const detail = e.message
      .replace(/\.?\s*Resolution note:.*$/s, '')
      .replace(/^No connection established\. Last error: (Error: )?/, '');
    return new ServingError(Code.UNAVAILABLE, `cannot reach the router at ${this.address}: ${detail}`, {
      cause: err,
    });
  }

  deploy(req: DeployModelRequest): Promise<DeployModelResponse> {
    // A waiting deploy may legitimately take its whole wait timeout; give the call room beyond it.
    const timeout = req.wait
      ? Math.max(this.timeoutMs, (req.waitTimeoutMs || 30_000) + 5_000)
      : this.timeoutMs;
    return this.call(
      this.raw.deployModel as UnaryMethod<DeployModelRequest, DeployModelResponse>,
      req,
      timeout,
    );
  }

  undeploy(dataType: string, name: string): Promise<UndeployModelResponse> {
    return this.call(this.raw.undeployModel as UnaryMethod<unknown, UndeployModelResponse>, {
      dataType,
      name,
    });
  }

  list(dataType = ''): Promise<ListModelsResponse> {
    return this.call(this.raw.listModels as UnaryMethod<unknown, ListModelsResponse>, { dataType });
  }

  status(dataType: string, name: string): Promise<GetModelStatusResponse> {
    return this.call(this.raw.getModelStatus as UnaryMethod<unknown, GetModelStatusResponse>, {
      dataType,
      name,
    });
  }

  predict(req: ServingRequest, timeoutMs?: number): Promise<ServingResponse> {
    return this.call(this.raw.predict as UnaryMethod<ServingRequest, ServingResponse>, req, timeoutMs);
  }

  suspend(): Promise<DeploymentsStateResponse> {
    return this.call(this.raw.suspendDeployments as UnaryMethod<unknown, DeploymentsStateResponse>, {});
  }

  resume(): Promise<DeploymentsStateResponse> {
    return this.call(this.raw.resumeDeployments as UnaryMethod<unknown, DeploymentsStateResponse>, {});
  }

  setPolicy(policy: DataTypePolicy): Promise<SetDataTypePolicyResponse> {
    return this.call(this.raw.setDataTypePolicy as UnaryMethod<unknown, SetDataTypePolicyResponse>, {
      policy,
    });
  }

  speculativeStats(dataType = ''): Promise<GetSpeculativeStatsResponse> {
    return this.call(this.raw.getSpeculativeStats as UnaryMethod<unknown, GetSpeculativeStatsResponse>, {
      dataType,
    });
  }

  close(): void {
    this.raw.close();
  }
}
