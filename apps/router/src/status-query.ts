import { ModelStatus_State, type ExecutorStatusResponse, type ModelStatus } from '@modelserving/contracts';
import { comparePositions } from '@modelserving/model-store';
import type { ExecutorConnection } from './executor-connection';
import { errorMessage } from '@modelserving/service-kit';

export interface ExecutorAnswer {
  readonly conn: ExecutorConnection;
  readonly response?: ExecutorStatusResponse;
  readonly error?: string;
}

/** Asks each executor for the status of `keys` in parallel; failures are answers too. */
export function queryStatuses(
  conns: readonly ExecutorConnection[],
  keys: readonly string[],
  timeoutMs: number,
): Promise<ExecutorAnswer[]> {
  return Promise.all(
    conns.map((conn) =>
      conn.getStatus(keys, timeoutMs).then(
        (response): ExecutorAnswer => ({ conn, response }),
        (err: unknown): ExecutorAnswer => ({ conn, error: errorMessage(err) }),
      ),
    ),
  );
}

/** The status of `key` from one answer; an executor that failed or does not know the key gets a status that says so. */
export function statusOf(answer: ExecutorAnswer, key: string): ModelStatus {
  const found = answer.response?.models.find((m) => m.modelKey === key);
  if (found) {
    if (!found.executor) found.executor = answer.response?.executor || answer.conn.id;
    return found;
  }
  const slash = key.indexOf('/');
  return {
    modelKey: key,
    name: key.slice(slash + 1),
    dataType: key.slice(0, slash),
    description: '',
    modelType: 0,
    state: ModelStatus_State.STATE_UNSPECIFIED,
    loading: false,
    error:
      answer.error !== undefined
        ? `executor ${answer.conn.id} did not answer: ${answer.error}`
        : `executor ${answer.conn.id} does not hold ${key}`,
    runtime: '',
    generation: 0,
    stats: undefined,
    executor: answer.response?.executor || answer.conn.id,
    inputs: [],
    outputs: [],
    position: answer.response?.position ?? '',
  };
}

/** True when the executor has applied the deploy at `position` and finished building it (serving or failed). */
export function settledAt(answer: ExecutorAnswer, key: string, position: string): boolean {
  const status = answer.response?.models.find((m) => m.modelKey === key);
  if (!status) return false;
  const applied = status.position || answer.response!.position;
  if (!atOrAfter(applied, position)) return false;
  return (
    !status.loading &&
    (status.state === ModelStatus_State.SERVING || status.state === ModelStatus_State.FAILED)
  );
}

export function atOrAfter(a: string, b: string): boolean {
  try {
    return comparePositions(a, b) >= 0;
  } catch {
    return false;
  }
}
