import type { ServerDuplexStream } from '@grpc/grpc-js';
import type {
  ExecutorStatusRequest,
  ExecutorStatusResponse,
  ModelExecutorServiceServer,
  ModelStatus as ProtoModelStatus,
  ScoreBatch,
  ScoreResultBatch,
} from '@modelserving/contracts';
import { modelStatusToProto, unary } from '@modelserving/transport';
import { ScoreSession, type ScoreContext } from './score-session';

/** Live Score streams, so a graceful stop can drain them. */
export class SessionSet {
  private readonly sessions = new Set<ScoreSession>();

  get size(): number {
    return this.sessions.size;
  }

  add(s: ScoreSession): void {
    this.sessions.add(s);
  }

  delete(s: ScoreSession): void {
    this.sessions.delete(s);
  }

  /** Answers everything in flight on every stream and ends them. */
  async drain(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.drain()));
  }
}

/** ExecutorStatusResponse for the requested keys (all held keys when none are named). */
export function executorStatus(ctx: ScoreContext, request: ExecutorStatusRequest): ExecutorStatusResponse {
  const { registry, sync, executorId } = ctx;
  const keys = request.modelKeys.length > 0 ? request.modelKeys : [...registry.keys()];
  const models: ProtoModelStatus[] = [];
  for (const key of keys) {
    const status = registry.status(key);
    if (status) models.push(modelStatusToProto(status, executorId, sync.positionOf(key)));
  }
  return { executor: executorId, models, position: sync.position };
}

/** The grpc-js implementation of `modelserving.v1.ModelExecutorService`. */
export function createExecutorService(ctx: ScoreContext, sessions: SessionSet): ModelExecutorServiceServer {
  return {
    score: (call: ServerDuplexStream<ScoreBatch, ScoreResultBatch>) => {
      sessions.add(new ScoreSession(call, ctx, (s) => sessions.delete(s)));
    },
    getStatus: unary<ExecutorStatusRequest, ExecutorStatusResponse>((request) =>
      executorStatus(ctx, request),
    ),
  };
}
