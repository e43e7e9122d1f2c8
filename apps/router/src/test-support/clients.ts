import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import {
  ModelServingServiceClient,
  inference,
  type Record as RecordMsg,
  type Value,
} from '@modelserving/contracts';

export function servingClient(address: string): ModelServingServiceClient {
  return new ModelServingServiceClient(address, credentials.createInsecure());
}

export function inferenceClient(address: string): inference.GRPCInferenceServiceClient {
  return new inference.GRPCInferenceServiceClient(address, credentials.createInsecure());
}

/** Calls a unary method of a generated client as a promise. */
export function call<Res>(
  client: Client,
  method: string,
  request: unknown,
  deadlineMs = 10_000,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)[method]!;
    fn.call(client, request, { deadline: Date.now() + deadlineMs }, (err: ServiceError | null, res: Res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

export function record(features: Record<string, number | string | boolean>): RecordMsg {
  const out: { [k: string]: Value } = {};
  for (const [k, v] of Object.entries(features)) {
    out[k] = typeof v === 'number' ? { number: v } : typeof v === 'string' ? { string: v } : { boolean: v };
  }
  return { features: out, tensors: [] };
}

export function pmmlDescriptor(dataType: string, name: string) {
  return {
    name,
    description: `test model ${name}`,
    dataType,
    modelType: 2,
    data: Buffer.from(`<PMML version="4.3"><!-- ${name} --></PMML>`),
    metadata: {},
  };
}

export async function deploy(
  client: ModelServingServiceClient,
  dataType: string,
  name: string,
): Promise<{ modelKey: string; position: string }> {
  return call(client, 'deployModel', {
    model: pmmlDescriptor(dataType, name),
    wait: false,
    waitTimeoutMs: 0,
  });
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A complete ServingRequest (generated encoders need every scalar field). */
export function servingRequest(p: {
  guid?: string;
  dataType?: string;
  data?: RecordMsg;
  modelName?: string;
  timeoutMs?: number;
}) {
  return { guid: '', dataType: '', modelName: '', timeoutMs: 0, ...p };
}
