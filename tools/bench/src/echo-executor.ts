// The echo end of the two-hop reference (b), and the executor of the router-only measurement: a bare
// grpc-js ModelExecutorService in its own process whose Score stream answers every item with the same
// pre-encoded result. It reads only the item ids (records stay bytes); GetStatus reports every asked key
// SERVING and the health service SERVING, so a real router deploys to it and routes to it.
import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import {
  ModelExecutorServiceService,
  ModelStatus_State,
  type ExecutorStatusRequest,
  type ExecutorStatusResponse,
} from '@modelserving/contracts';
import { defaultChannelOptions } from '@modelserving/transport';
import { HealthImplementation } from 'grpc-health-check';
import { reportPort } from './child-server';
import { ECHO_RESULT_BYTES } from './echo-result';
import { encodeEchoResults, scoreBatchIds } from './score-batch-ids';

const identity = (b: Buffer): Buffer => b;
const definition = {
  ...ModelExecutorServiceService,
  score: {
    ...ModelExecutorServiceService.score,
    requestDeserialize: identity,
    responseSerialize: identity,
  },
};

let id = '';
// The echo serves every key at once, so it reports a position after any deploy: the router's wait for
// "applied and serving" is satisfied as soon as it asks.
const CAUGHT_UP = `${Number.MAX_SAFE_INTEGER}-0`;
const server = new Server(defaultChannelOptions());
server.addService(definition, {
  score: (call: ServerDuplexStream<Buffer, Buffer>) => {
    call.on('data', (batch: Buffer) =>
      call.write(encodeEchoResults(scoreBatchIds(batch), ECHO_RESULT_BYTES)),
    );
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  },
  getStatus: (
    call: ServerUnaryCall<ExecutorStatusRequest, ExecutorStatusResponse>,
    cb: sendUnaryData<ExecutorStatusResponse>,
  ) =>
    cb(null, {
      executor: id,
      position: CAUGHT_UP,
      models: call.request.modelKeys.map((key) => ({
        modelKey: key,
        name: key.slice(key.indexOf('/') + 1),
        dataType: key.slice(0, key.indexOf('/')),
        description: 'echo',
        modelType: 2,
        state: ModelStatus_State.SERVING,
        loading: false,
        error: '',
        runtime: 'echo',
        generation: 1,
        stats: undefined,
        executor: id,
        inputs: [],
        outputs: [],
        position: CAUGHT_UP,
      })),
    }),
});
new HealthImplementation({ '': 'SERVING', 'modelserving.v1.ModelExecutorService': 'SERVING' }).addToServer(
  server,
);
const port = Number(process.argv[2] ?? 0);
server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
  if (err) throw err;
  id = `127.0.0.1:${bound}`;
  reportPort(bound, () => server.forceShutdown());
});
