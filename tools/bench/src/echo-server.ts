// The baseline of the throughput benchmark: a bare grpc-js server that answers PredictBatch by echoing
// one trivial response per request, with the same message types and batch sizes as the real path, in
// its own process like the real router.
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import {
  ModelServingServiceService,
  type ServingRequest,
  type ServingRequestBatch,
  type ServingResponse,
  type ServingResponseBatch,
} from '@modelserving/contracts';
import { defaultChannelOptions } from '@modelserving/transport';

const server = new Server(defaultChannelOptions());
const unimplemented = (_: unknown, cb: (e: Error) => void) => cb(new Error('echo server'));
const echoResult = (model: string) => ({
  processed: true,
  model,
  source: 'echo',
  value: { number: 1 },
  outputs: {},
  tensors: [],
  error: '',
  errorCode: 0,
  duration: 0,
});
server.addService(ModelServingServiceService, {
  predict: (call: { request: ServingRequest }, cb: (e: null, r: ServingResponse) => void) =>
    cb(null, { guid: call.request.guid, result: echoResult(call.request.dataType), qualifiers: [] }),
  predictStream: (call: { end(): void }) => call.end(),
  predictBatch: (call: ServerDuplexStream<ServingRequestBatch, ServingResponseBatch>) => {
    call.on('data', (batch: ServingRequestBatch) => {
      const responses: ServingResponse[] = batch.requests.map((r) => ({
        guid: r.guid,
        result: echoResult(r.dataType),
        qualifiers: [],
      }));
      call.write({ responses });
    });
    call.on('end', () => call.end());
  },
  deployModel: unimplemented,
  undeployModel: unimplemented,
  listModels: unimplemented,
  getModelStatus: unimplemented,
  suspendDeployments: unimplemented,
  resumeDeployments: unimplemented,
  setDataTypePolicy: unimplemented,
  getSpeculativeStats: unimplemented,
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(`PORT ${port}\n`);
});
process.on('SIGTERM', () => server.forceShutdown());
