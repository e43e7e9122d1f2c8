import { credentials } from '@grpc/grpc-js';
import {
  ModelServingServiceClient,
  type ServingRequest,
  type ServingRequestBatch,
  type ServingResponseBatch,
} from '@modelserving/contracts';
import { defaultChannelOptions } from '@modelserving/transport';

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
  const client = new ModelServingServiceClient(
    address,
    credentials.createInsecure(),
    defaultChannelOptions(),
  );
  const call = client.predictBatch();
  const batches: ServingRequestBatch[] = [];
  for (let i = 0; i < requests.length; i += opts.batchSize) {
    const slice = requests.slice(i, i + opts.batchSize);
    if (slice.length === opts.batchSize)
      batches.push({ requests: slice.map((r, j) => ({ ...r, guid: String(i + j) })) });
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
        inFlight += b.requests.length;
        call.write(b);
      }
      if (now >= stopAt && inFlight === 0) finish();
    };
    call.on('data', (rb: ServingResponseBatch) => {
      for (const r of rb.responses) {
        if (r.result?.error) {
          errors++;
          firstError ??= r.result.error;
        }
      }
      received += rb.responses.length;
      inFlight -= rb.responses.length;
      pump();
    });
    call.on('error', (e) => (done ? undefined : reject(e)));
    pump();
  });
}
