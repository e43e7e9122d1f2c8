// Reference (a) of the throughput benchmark: a bare grpc-js server, in its own process, that answers
// PredictBatch (and Predict, for the latency benchmark) with one echo response per request, using the
// router's own pass-through codec: requests are decoded into the router's views (the record stays bytes,
// never decoded), responses are encoded by the router's serializer from result bytes, exactly as the
// router does with an executor's answer. Like for like with the router, minus the routing and the hop.
import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { defaultChannelOptions } from '@modelserving/transport';
import type { RouteRequest } from '@modelserving/router/internal/route-request';
import { ServingServiceDefinition } from '@modelserving/router/internal/wire';
import type { RoutedResponse } from '@modelserving/router/internal/wire-codec';
import { reportPort } from './child-server';
import { echoRaw } from './echo-result';

const raw = echoRaw();
const respond = (req: RouteRequest): RoutedResponse => ({
  guid: req.guid,
  result: undefined,
  raw,
  confidence: undefined,
  qualifiers: [],
});

const server = new Server(defaultChannelOptions());
const unimplemented = (_: unknown, cb: (e: Error) => void) => cb(new Error('echo server'));
server.addService(ServingServiceDefinition, {
  predict: (call: ServerUnaryCall<RouteRequest, RoutedResponse>, cb: sendUnaryData<RoutedResponse>) =>
    cb(null, respond(call.request)),
  predictStream: (call: { end(): void }) => call.end(),
  predictBatch: (call: ServerDuplexStream<{ requests: RouteRequest[] }, { responses: RoutedResponse[] }>) => {
    call.on('data', (batch: { requests: RouteRequest[] }) =>
      call.write({ responses: batch.requests.map(respond) }),
    );
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
  reportPort(port, () => server.forceShutdown());
});
