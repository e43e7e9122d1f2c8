import { Client, credentials } from '@grpc/grpc-js';
import {
  ModelServingServiceService,
  ServingRequestBatch,
  type ServingRequest,
} from '@modelserving/contracts';
import { defaultChannelOptions } from '@modelserving/transport';
import { scanResponseBatch } from './score-batch-ids';

export interface BatchLoadResult {
  readonly records: number;
  readonly errors: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly firstError?: string;
}

/**
 * Drives PredictBatch for `seconds`, keeping `window × batchSize` records in flight, and counts the
 * responses. The same client runs against the echo baseline and the real router.
 */
export async function runBatchLoad(
  address: string,
  requests: readonly ServingRequest[],
  opts: { batchSize: number; window: number; seconds: number },
): Promise<BatchLoadResult> {
  // The client does as little as it can per record, so the servers, not the client, set the pace (it shares
  // the 2 cores with them): batches are encoded once up front, responses are scanned for their count and
  // errors, not decoded. The same client drives every path.
  const client = new Client(address, credentials.createInsecure(), defaultChannelOptions());
  const identity = (b: Buffer): Buffer => b;
  const call = client.makeBidiStreamRequest<Buffer, Buffer>(
    ModelServingServiceService.predictBatch.path,
    identity,
    identity,
  );
  const batches: { size: number; bytes: Buffer }[] = [];
  for (let i = 0; i < requests.length; i += opts.batchSize) {
    const slice = requests.slice(i, i + opts.batchSize);
    if (slice.length === opts.batchSize) {
      const batch = { requests: slice.map((r, j) => ({ ...r, guid: String(i + j) })) };
      batches.push({ size: slice.length, bytes: Buffer.from(ServingRequestBatch.encode(batch).finish()) });
    }
  }
  if (batches.length === 0) throw new Error(`need at least ${opts.batchSize} requests`);
  const maxInFlight = opts.window * opts.batchSize;
  let next = 0;
  let inFlight = 0;
  let received = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const stopAt = t0 + opts.seconds * 1000;
  return new Promise<BatchLoadResult>((resolve, reject) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = (performance.now() - t0) / 1000;
      call.end();
      client.close();
      resolve({
        records: received,
        errors,
        seconds,
        recordsPerSecond: received / seconds,
        ...(firstError ? { firstError } : {}),
      });
    };
    const pump = () => {
      const now = performance.now();
      while (inFlight + opts.batchSize <= maxInFlight && now < stopAt) {
        const b = batches[next++ % batches.length]!;
        inFlight += b.size;
        call.write(b.bytes);
      }
      if (now >= stopAt && inFlight === 0) finish();
    };
    call.on('data', (rb: Buffer) => {
      const scan = scanResponseBatch(rb);
      errors += scan.errors;
      firstError ??= scan.firstError;
      received += scan.responses;
      inFlight -= scan.responses;
      pump();
    });
    call.on('error', (e) => (done ? undefined : reject(e)));
    pump();
  });
}
