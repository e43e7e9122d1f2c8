import type { sendUnaryData, ServerDuplexStream, ServerReadableStream } from '@grpc/grpc-js';
import type {
  CollectAck,
  CollectBatch,
  DecisionBatch,
  ExpectBatch,
  SpeculativeCollectorServiceServer,
  SpeculativeStatsRequest,
} from '@modelserving/contracts';
import { unary } from '@modelserving/transport';
import type { CollectorEngine } from './collector-engine';
import { errorMessage, type Logger } from '@modelserving/service-kit';
import { RouterStream } from './router-stream';

/** An executor's open `Collect` stream, answered with its ack when it ends (or when the collector stops). */
interface CollectStream {
  received: number;
  answered: boolean;
  readonly callback: sendUnaryData<CollectAck>;
}

/**
 * The open streams of the collector's gRPC service, so stop() can answer and end them: routers' Decide
 * streams and executors' Collect streams never end by themselves.
 */
export class StreamRegistry {
  readonly routers = new Set<RouterStream>();
  readonly collectors = new Set<CollectStream>();
  /** Set once stop() has ended the streams: calls opened afterwards are ended at once. */
  closed = false;

  endAll(): void {
    this.closed = true;
    for (const r of this.routers) r.end();
    this.routers.clear();
    for (const c of this.collectors) answer(c);
    this.collectors.clear();
  }
}

function answer(c: CollectStream): void {
  if (c.answered) return;
  c.answered = true;
  c.callback(null, { received: c.received });
}

/** The grpc-js implementation of `SpeculativeCollectorService` over a CollectorEngine. */
export function createCollectorService(
  engine: CollectorEngine,
  streams: StreamRegistry,
  options: { readonly maxBatch: number; readonly log: Logger },
): SpeculativeCollectorServiceServer {
  const { maxBatch, log } = options;
  // A bug must never take a stream (let alone the process) down; one line per 5 s at most.
  let lastErrorLog = 0;
  const internalError = (where: string, err: unknown) => {
    const now = Date.now();
    if (now - lastErrorLog < 5_000) return;
    lastErrorLog = now;
    log.error('internal error', { where, error: errorMessage(err) });
  };

  return {
    decide(call: ServerDuplexStream<ExpectBatch, DecisionBatch>): void {
      const stream = new RouterStream(call, maxBatch);
      if (streams.closed) {
        stream.end();
        return;
      }
      streams.routers.add(stream);
      const peer = call.getPeer();
      log.info('router stream opened', { peer });
      call.on('data', (batch: ExpectBatch) => {
        if (!stream.isOpen) return;
        try {
          // Expectations first: a router sends a request's expectation before any result it reports for it.
          const expects = batch.expects;
          for (let i = 0; i < expects.length; i++) engine.expect(expects[i]!, stream);
          const results = batch.results;
          for (let i = 0; i < results.length; i++) engine.result(results[i]!);
        } catch (err) {
          internalError('while handling an ExpectBatch', err);
        }
      });
      let gone = false;
      const lost = (why: string) => {
        if (gone) return;
        gone = true;
        const wasOpen = stream.isOpen;
        stream.markClosed();
        streams.routers.delete(stream);
        const dropped = engine.dropTarget(stream);
        if (wasOpen) log.info('router stream gone', { peer, why, droppedPending: dropped });
      };
      call.on('end', () => {
        lost('ended');
        call.end();
      });
      call.on('cancelled', () => lost('cancelled'));
      call.on('error', (err) => lost(`failed: ${errorMessage(err)}`));
      call.on('close', () => lost('closed'));
    },

    collect(call: ServerReadableStream<CollectBatch, CollectAck>, callback: sendUnaryData<CollectAck>): void {
      const c: CollectStream = { received: 0, answered: false, callback };
      if (streams.closed) {
        answer(c);
        return;
      }
      streams.collectors.add(c);
      call.on('data', (batch: CollectBatch) => {
        if (c.answered) return;
        const items = batch.items;
        c.received += items.length;
        try {
          for (let i = 0; i < items.length; i++) engine.result(items[i]!);
        } catch (err) {
          internalError('while handling a CollectBatch', err);
        }
      });
      call.on('end', () => {
        streams.collectors.delete(c);
        answer(c);
      });
      const gone = () => {
        streams.collectors.delete(c);
        c.answered = true;
      };
      call.on('cancelled', gone);
      call.on('error', gone);
    },

    getStats: unary(async (request: SpeculativeStatsRequest) => ({
      stats: engine.getStats(request.dataType.trim()),
    })),
  };
}
