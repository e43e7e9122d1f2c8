import { once } from 'node:events';
import { Metadata, type ServerWritableStream } from '@grpc/grpc-js';
import type {
  ModelStoreServiceServer,
  ModelStreamEvent,
  SnapshotPage,
  SnapshotRequest,
  TailRequest,
} from '@modelserving/contracts';
import { Code, ServingError, invalidArgument } from '@modelserving/model-core';
import { toServiceError, unary } from '@modelserving/transport';
import { toBuffer } from './event-validation';
import type { ModelStore } from './model-store';
import { snapshotPages } from './snapshot-pages';

/**
 * The grpc-js implementation of `ModelStoreService` over any store, so a process hosting an embedded store
 * (the router) can serve executors in other processes (`RemoteModelStore`). ServingErrors keep their gRPC
 * code (a stream gap is OUT_OF_RANGE); anything else becomes INTERNAL. Snapshots go out as bounded pages, so
 * any number of models fits under the message limit.
 */
export function createModelStoreServiceImpl(store: ModelStore): ModelStoreServiceServer {
  return {
    publish: unary(async (request) => {
      if (request.event === undefined) throw invalidArgument('PublishRequest.event is required');
      // Position and timestamp are the store's to assign; whatever the client sent is ignored.
      const { position: _position, timestampMs: _timestamp, ...event } = request.event;
      return { position: await store.publish(event) };
    }),
    snapshot: (call) => void serveSnapshot(store, call),
    getBlob: unary(async (request) => ({ data: toBuffer(await store.getBlob(request.key)) })),
    putBlob: unary(async (request) => ({ key: await store.putBlob(request.data) })),
    tail: (call) => void serveTail(store, call),
  };
}

async function serveTail(
  store: ModelStore,
  call: ServerWritableStream<TailRequest, ModelStreamEvent>,
): Promise<void> {
  const abort = new AbortController();
  call.once('cancelled', () => abort.abort());
  // 'close' covers the client going away without a cancel frame.
  call.once('close', () => abort.abort());
  try {
    const events = store.tail(call.request.after, abort.signal);
    // Headers now rather than with the first event: the client learns that the stream is established (and
    // resets its reconnect backoff) even when no event comes for hours.
    call.sendMetadata(new Metadata());
    for await (const event of events) {
      if (!call.write(event)) await once(call, 'drain', { signal: abort.signal });
    }
    // The tail ends only when the store closes (the process is shutting down): UNAVAILABLE makes the client
    // reconnect, to this process once it is back or to its replacement.
    if (!abort.signal.aborted)
      call.emit('error', toServiceError(new ServingError(Code.UNAVAILABLE, 'the model store is closing')));
  } catch (err) {
    if (!abort.signal.aborted) call.emit('error', toServiceError(err));
  }
}

/**
 * One snapshot, taken at once (so the position matches the models), written page by page with
 * backpressure: a slow reader holds the pages not yet encoded, not a 100 MB message.
 */
async function serveSnapshot(
  store: ModelStore,
  call: ServerWritableStream<SnapshotRequest, SnapshotPage>,
): Promise<void> {
  const abort = new AbortController();
  call.once('cancelled', () => abort.abort());
  call.once('close', () => abort.abort());
  try {
    const snapshot = await store.snapshot();
    for (const page of snapshotPages(snapshot)) {
      if (abort.signal.aborted) return;
      if (!call.write(page)) await once(call, 'drain', { signal: abort.signal });
    }
    call.end();
  } catch (err) {
    if (!abort.signal.aborted) call.emit('error', toServiceError(err));
  }
}
