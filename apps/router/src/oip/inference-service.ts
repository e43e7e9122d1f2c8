import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { ModelStatus_State, type ServingResult, type inference } from '@modelserving/contracts';
import { Code, ServingError, invalidArgument, notFound } from '@modelserving/model-core';
import { toServiceError, unary } from '@modelserving/transport';
import type { RouterConfig } from '../config';
import type { RequestRouter } from '../request-router';
import { RouteRequest, type ResponseSink } from '../route-request';
import type { RoutingTable } from '../routing-table';
import { callDeadline } from '../serving-service';
import { buildOutput, decodeInferRows, valueFromProto, type OutputValue } from './infer-tensors';
import { ModelSignatures } from './model-signatures';
import type { RoutedResponse } from '../wire-codec';

export interface InferenceServiceDeps {
  readonly config: RouterConfig;
  readonly router: RequestRouter;
  readonly table: RoutingTable;
}

/** An OIP model name: a data type (all its models, routed like Predict) or a model key `dataType/name`. */
interface OipTarget {
  readonly dataType: string;
  /** Model name when one model is addressed, '' for the whole data type. */
  readonly modelName: string;
  readonly keys: readonly string[];
}

const PLATFORMS: Record<number, string> = {
  0: 'tensorflow_graphdef',
  1: 'tensorflow_savedmodel',
  2: 'pmml',
  3: 'pfa',
};

function packageVersion(): string {
  try {
    // src/ and dist/ both sit next to package.json.
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Collects the per-row responses of one ModelInfer call. */
class InferCollector implements ResponseSink {
  readonly results: (ServingResult | undefined)[];
  private remaining: number;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(n: number) {
    this.results = new Array<ServingResult | undefined>(n);
    this.remaining = n;
    this.done = new Promise<void>((r) => (this.resolveDone = r));
    if (n === 0) this.resolveDone();
  }

  onResponse(req: RouteRequest, response: RoutedResponse): void {
    this.results[req.tag] = response.raw !== undefined ? response.raw.decode() : response.result;
    if (--this.remaining === 0) this.resolveDone();
  }
}

/** inference.GRPCInferenceService (Open Inference Protocol v2) over the router's request path. */
export function createInferenceService(deps: InferenceServiceDeps) {
  const { router, table } = deps;
  const signatures = new ModelSignatures(deps.config, router, table);
  const version = packageVersion();

  const target = (name: string, version: string): OipTarget => {
    if (!name) throw invalidArgument('model name is required');
    let dataType = name;
    let modelName = '';
    const slash = name.indexOf('/');
    if (slash >= 0) {
      dataType = name.slice(0, slash);
      modelName = name.slice(slash + 1);
    } else if (version) {
      // OIP's version slot addresses one model of the data type.
      modelName = version;
    }
    const entry = table.dataType(dataType);
    if (modelName) {
      const info = entry?.models.get(modelName);
      if (!info) throw notFound(`model ${dataType}/${modelName} is not deployed`);
      return { dataType, modelName, keys: [info.key] };
    }
    if (!entry || entry.keys.length === 0) {
      throw notFound(
        `model '${name}' is not deployed (expected a data type or dataType/modelName with deployed models)`,
      );
    }
    return { dataType, modelName: '', keys: entry.keys };
  };

  const modelInfer = async (
    request: inference.ModelInferRequest,
    deadlineAt: number,
  ): Promise<inference.ModelInferResponse> => {
    const t = target(request.modelName, request.modelVersion);
    const firstKey = t.keys[0]!;
    const { rows, raw } = await decodeInferRows(request, async () => {
      const status = await signatures.require(firstKey);
      if (status.inputs.length === 0)
        throw invalidArgument(
          `model ${firstKey} does not declare its inputs: set the input tensor's 'columns' parameter`,
        );
      return status.inputs.map((i) => i.name);
    });
    const n = rows.length;
    const collector = new InferCollector(n);
    for (let i = 0; i < n; i++) {
      const req = new RouteRequest();
      req.sink = collector;
      req.tag = i;
      req.dataType = t.dataType;
      req.modelName = t.modelName;
      req.setRecord(rows[i]!);
      router.submit(req, deadlineAt);
    }
    await collector.done;

    const values: OutputValue[] = new Array<OutputValue>(n);
    const named = new Map<string, OutputValue[]>();
    for (let i = 0; i < n; i++) {
      const r = collector.results[i];
      if (r === undefined) throw new ServingError(Code.INTERNAL, `row ${i}: no result`);
      if (r.error)
        throw new ServingError(
          (r.errorCode || Code.UNKNOWN) as Code,
          n > 1 ? `row ${i}: ${r.error}` : r.error,
        );
      values[i] = valueFromProto(r.value);
      for (const k in r.outputs) {
        let col = named.get(k);
        if (col === undefined) {
          col = new Array<OutputValue>(n).fill(null);
          named.set(k, col);
        }
        col[i] = valueFromProto(r.outputs[k]);
      }
    }
    // The prediction is named after the model's target (its first declared output) when the owner says so.
    const status = await signatures.serving(firstKey).catch(() => undefined);
    const targetName = status?.outputs[0]?.name || 'prediction';
    named.delete(targetName);
    const all: [string, OutputValue[]][] = [[targetName, values], ...named];
    let selected = all;
    if (request.outputs.length > 0) {
      const byName = new Map(all);
      selected = request.outputs.map((o) => {
        const v = byName.get(o.name);
        if (!v)
          throw invalidArgument(
            `requested output '${o.name}' is not produced by ${request.modelName} (outputs: ${all.map(([k]) => k).join(', ')})`,
          );
        return [o.name, v];
      });
    }
    const outputs: inference.ModelInferResponse_InferOutputTensor[] = [];
    const rawOutputs: Buffer[] = [];
    for (const [name, col] of selected) {
      const o = buildOutput(name, col, raw);
      outputs.push(o.tensor);
      if (o.raw) rawOutputs.push(o.raw);
    }
    return {
      modelName: request.modelName,
      modelVersion: request.modelVersion,
      id: request.id,
      parameters: {},
      outputs,
      rawOutputContents: rawOutputs,
    };
  };

  return {
    serverLive: unary((): inference.ServerLiveResponse => ({ live: true })),

    serverReady: unary((): inference.ServerReadyResponse => ({
      ready: table.loaded && router.pool.liveCount > 0,
    })),

    serverMetadata: unary((): inference.ServerMetadataResponse => ({
      name: 'modelserving',
      version,
      extensions: [],
    })),

    modelReady: unary(async (request: inference.ModelReadyRequest): Promise<inference.ModelReadyResponse> => {
      const t = target(request.name, request.version);
      for (const key of t.keys) {
        const statuses = await signatures.statuses(key);
        if (!statuses.some((s) => s.state === ModelStatus_State.SERVING)) return { ready: false };
      }
      return { ready: true };
    }),

    modelMetadata: unary(
      async (request: inference.ModelMetadataRequest): Promise<inference.ModelMetadataResponse> => {
        const t = target(request.name, request.version);
        const status = await signatures.require(t.keys[0]!);
        const entry = table.dataType(t.dataType);
        return {
          name: request.name,
          versions: t.modelName ? [t.modelName] : [...(entry?.models.keys() ?? [])].sort(),
          platform: PLATFORMS[status.modelType] ?? (status.runtime || 'unknown'),
          inputs: status.inputs.map((s) => ({ name: s.name, datatype: s.datatype, shape: s.shape })),
          outputs: status.outputs.map((s) => ({ name: s.name, datatype: s.datatype, shape: s.shape })),
        };
      },
    ),

    modelInfer(
      call: ServerUnaryCall<inference.ModelInferRequest, inference.ModelInferResponse>,
      callback: sendUnaryData<inference.ModelInferResponse>,
    ): void {
      modelInfer(call.request, callDeadline(call)).then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err)),
      );
    },
  };
}
