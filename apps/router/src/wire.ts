import {
  makeGenericClientConstructor,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientDuplexStream,
  type ClientOptions,
  type ClientUnaryCall,
  type Metadata,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  ModelExecutorServiceService,
  ModelServingServiceService,
  type ExecutorStatusRequest,
  type ExecutorStatusResponse,
} from '@modelserving/contracts';
import {
  decodeScoreResultBatch,
  decodeServingRequest,
  decodeServingRequestBatch,
  encodeScoreBatch,
  encodeServingResponse,
  encodeServingResponseBatch,
  type RawResult,
  type RoutedResponse,
} from './wire-codec';
import type { PendingEntry, RouteRequest } from './route-request';

// The router routes by data type and model key and never looks inside a record or a result. These service
// definitions swap the generated (de)serializers of the hot methods for the pass-through codec in
// wire-codec.ts: requests are decoded as views whose record stays the bytes the client sent, executor
// results stay the bytes the executor sent, and batches are encoded in one pass. Every other method keeps
// the generated code.

/** The public native service with pass-through codecs on the scoring methods. */
export const ServingServiceDefinition = {
  ...ModelServingServiceService,
  predict: {
    ...ModelServingServiceService.predict,
    requestDeserialize: (b: Buffer): RouteRequest => decodeServingRequest(b),
    responseSerialize: (v: RoutedResponse): Buffer => encodeServingResponse(v),
  },
  predictStream: {
    ...ModelServingServiceService.predictStream,
    requestDeserialize: (b: Buffer): RouteRequest => decodeServingRequest(b),
    responseSerialize: (v: RoutedResponse): Buffer => encodeServingResponse(v),
  },
  predictBatch: {
    ...ModelServingServiceService.predictBatch,
    requestDeserialize: (b: Buffer): { requests: RouteRequest[] } => decodeServingRequestBatch(b),
    responseSerialize: (v: { responses: RoutedResponse[] }): Buffer => encodeServingResponseBatch(v),
  },
} as const;

const ExecutorDefinition = {
  score: {
    ...ModelExecutorServiceService.score,
    requestSerialize: (v: PendingEntry[]): Buffer => encodeScoreBatch(v),
    requestDeserialize: (): never => {
      throw new Error('client-side definition');
    },
    responseSerialize: (): never => {
      throw new Error('client-side definition');
    },
    responseDeserialize: (b: Buffer): RawResult[] => decodeScoreResultBatch(b),
  },
  getStatus: ModelExecutorServiceService.getStatus,
} as const;

/** ModelExecutorService client whose Score stream sends records and receives results as opaque bytes. */
export interface ExecutorClient extends Client {
  score(options?: Partial<CallOptions>): ClientDuplexStream<PendingEntry[], RawResult[]>;
  getStatus(
    request: ExecutorStatusRequest,
    metadata: Metadata,
    options: Partial<CallOptions>,
    callback: (error: ServiceError | null, response: ExecutorStatusResponse) => void,
  ): ClientUnaryCall;
}

export const ExecutorClient = makeGenericClientConstructor(
  ExecutorDefinition,
  'modelserving.v1.ModelExecutorService',
) as unknown as {
  new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>): ExecutorClient;
};
