// The middle of the two-hop reference (b): a bare grpc-js forwarder in its own process. It takes
// PredictBatch from the client and forwards every batch as one ScoreBatch on one stream to the echo
// executor, then answers the client from the results. It uses the router's own pass-through codec and
// entries on both sides (request views with the record as bytes, ScoreBatch encoder, raw results copied
// into the response), and nothing else of the router: no routing table, ownership, deadlines, retries,
// metrics or tracing. Same batches, same wire work: the floor for a client → process → process path.
import {
  Server,
  ServerCredentials,
  credentials,
  type ClientDuplexStream,
  type ServerDuplexStream,
} from '@grpc/grpc-js';
import type { RouteRequest } from '@modelserving/router/internal/route-request';
import { ExecutorClient, ServingServiceDefinition } from '@modelserving/router/internal/wire';
import type { PendingEntry } from '@modelserving/router/internal/route-request';
import type { RawResult, RoutedResponse } from '@modelserving/router/internal/wire-codec';
import { defaultChannelOptions } from '@modelserving/transport';
import { reportPort } from './child-server';

const echoAddress = process.argv[2];
if (!echoAddress) throw new Error('usage: forwarder <echo executor address>');

const executor = new ExecutorClient(echoAddress, credentials.createInsecure(), defaultChannelOptions());
const unimplemented = (_: unknown, cb: (e: Error) => void) => cb(new Error('forwarder'));

/** One client stream: its batches in flight, answered in the order the echo answers them. */
function onPredictBatch(
  call: ServerDuplexStream<{ requests: RouteRequest[] }, { responses: RoutedResponse[] }>,
): void {
  const score: ClientDuplexStream<PendingEntry[], RawResult[]> = executor.score();
  const pending = new Map<number, RouteRequest>();
  let nextId = 1;
  call.on('data', (batch: { requests: RouteRequest[] }) => {
    for (const req of batch.requests) {
      req.modelKey = 'wine/echo';
      req.itemId = nextId++;
      pending.set(req.itemId, req);
    }
    score.write(batch.requests);
  });
  score.on('data', (results: RawResult[]) => {
    const responses: RoutedResponse[] = new Array<RoutedResponse>(results.length);
    for (let i = 0; i < results.length; i++) {
      const raw = results[i]!;
      const req = pending.get(raw.id)!;
      pending.delete(raw.id);
      responses[i] = { guid: req.guid, result: undefined, raw, confidence: raw.confidence, qualifiers: [] };
    }
    call.write({ responses });
  });
  call.on('end', () => score.end());
  score.on('end', () => call.end());
  score.on('error', (e) => call.destroy(e));
  call.on('error', () => score.cancel());
}

const server = new Server(defaultChannelOptions());
server.addService(ServingServiceDefinition, {
  predict: unimplemented,
  predictStream: (call: { end(): void }) => call.end(),
  predictBatch: onPredictBatch,
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
  reportPort(port, () => {
    server.forceShutdown();
    executor.close();
  });
});
