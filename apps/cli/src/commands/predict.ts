import type { ServingRequest } from '@modelserving/contracts';
import { codeName } from '@modelserving/model-core';
import type { OutputFormat } from '../config';
import { EXIT } from '../errors';
import type { CliIo } from '../io';
import { predictJson, predictText, toJsonText } from '../output';
import type { RouterClient } from '../router-client';

/** Scores one record; a per-record error in the result fails the command like a call error would. */
export async function runPredict(
  request: ServingRequest,
  timeoutMs: number | undefined,
  client: RouterClient,
  io: CliIo,
  output: OutputFormat,
): Promise<number> {
  const res = await client.predict(request, timeoutMs !== undefined ? timeoutMs + 1_000 : undefined);
  io.out(output === 'json' ? toJsonText(predictJson(res)) : predictText(res));
  const r = res.result;
  if (r && r.error) {
    io.err(`error: ${codeName(r.errorCode || 2)}: ${r.error}`);
    return EXIT.failed;
  }
  if (r && !r.processed) {
    io.err(`error: NOT_FOUND: no model scored the record of data type '${request.dataType}'`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
