import { ModelStatus_State, type GetModelStatusResponse } from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';
import type { DevCommand } from '../args';
import type { OutputFormat } from '../config';
import { EXIT, formatError } from '../errors';
import type { CliIo } from '../io';
import { statusJson, statusLines, toJsonText } from '../output';
import { RouterClient } from '../router-client';
import { hasShared } from '../shared-path';
import { readWineCsv, syntheticWines, wineCsvPath, type WineRecord } from '../wine-data';
import { demoWineModel } from '../wine-models';
import { startDevCluster, type DevCluster } from './dev-cluster';
import { ChildExitedError, describeExit, type ChildExit } from './supervisor';
import { streamWines, type WineSample, type WineStreamSummary } from './wine-stream';

export interface DevRunOptions {
  /** Checkout to run the apps from (default: this one). */
  readonly root?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly color?: boolean;
  /** Install SIGINT/SIGTERM handlers (off in tests, which abort through `signal`). */
  readonly handleSignals?: boolean;
  readonly signal?: AbortSignal;
}

/** Ctrl-C: a clean stop, exit 0. */
class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

function fmtMs(n: number): string {
  return Number.isNaN(n) ? '-' : n < 10 ? `${n.toFixed(2)} ms` : `${n.toFixed(1)} ms`;
}

function loadWines(io: CliIo): { wines: WineRecord[]; source: string } {
  if (hasShared('fixtures', 'wine', 'winequality_red.csv'))
    return { wines: readWineCsv(), source: wineCsvPath() };
  io.err(`[dev] ${wineCsvPath()} is absent: streaming 1599 synthetic wines (no rated quality to compare)`);
  return { wines: syntheticWines(1599), source: 'synthetic wines' };
}

function sampleLine(s: WineSample): string {
  const actual = Number.isNaN(s.actual) ? '-' : String(s.actual);
  const what = s.error ? `error ${s.error}` : `predicted ${s.predicted.padEnd(8)} actual ${actual.padEnd(3)}`;
  return `  ${s.guid.padEnd(11)} ${what}  ${s.model}  ${s.source}  ${fmtMs(s.latencyMs)}`;
}

function summaryLines(sum: WineStreamSummary, comparable: boolean): string[] {
  const lines = [
    'summary',
    `  records   ${sum.received} received of ${sum.sent} sent, ${sum.errors} errors${sum.interrupted ? ' (interrupted)' : ''}`,
    `  elapsed   ${(sum.elapsedMs / 1000).toFixed(2)} s, ${Math.round(sum.recordsPerSec)} records/s`,
    `  latency   p50 ${fmtMs(sum.p50Ms)}, p99 ${fmtMs(sum.p99Ms)}, max ${fmtMs(sum.maxMs)}`,
  ];
  if (comparable && sum.received > 0) {
    lines.push(
      `  quality   ${sum.matches} of ${sum.received} predictions equal the rated quality (${((100 * sum.matches) / sum.received).toFixed(1)}%)`,
    );
  }
  if (sum.streamError) lines.push(`  stream    failed: ${sum.streamError}`);
  for (const e of sum.firstErrors) lines.push(`  error     ${e}`);
  return lines;
}

/**
 * `modelserving dev`: router + two executors + collector as local processes, the wine model deployed, the
 * wine data streamed through PredictStream, a summary and the model's stats; then everything stopped
 * (or left running with --keep-running until Ctrl-C). Ctrl-C stops cleanly with 0; a child that dies
 * on its own stops the rest with 1.
 */
export async function runDev(
  cmd: DevCommand,
  io: CliIo,
  output: OutputFormat,
  options: DevRunOptions = {},
): Promise<number> {
  const abort = new AbortController();
  let cluster: DevCluster | undefined;
  const onParentAbort = () => abort.abort(new Interrupted('stopped'));
  options.signal?.addEventListener('abort', onParentAbort);
  const onSignal = (sig: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      io.err(`[dev] ${sig} again: killing the services`);
      cluster?.supervisor.killAll();
      process.exit(EXIT.forced);
    }
    io.err(`[dev] ${sig}: stopping the services (again to kill them)`);
    abort.abort(new Interrupted(sig));
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  // Everything after the start races the first unexpected child exit and Ctrl-C.
  let childExit: ChildExit | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    const fail = () =>
      reject(abort.signal.reason instanceof Error ? abort.signal.reason : new Interrupted('stopped'));
    if (abort.signal.aborted) fail();
    else abort.signal.addEventListener('abort', fail, { once: true });
  });
  interrupted.catch(() => {});
  const guard = <T>(p: Promise<T>): Promise<T> => Promise.race([p, interrupted]);

  let client: RouterClient | undefined;
  try {
    const { wines, source } = loadWines(io);
    const model = demoWineModel();
    io.err('[dev] starting collector, router and two executors');
    // Not raced: startDevCluster watches the signal itself and stops what it started before rejecting.
    cluster = await startDevCluster({
      ...(options.root ? { root: options.root } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(cmd.basePort !== undefined ? { basePort: cmd.basePort } : {}),
      log: (line) => io.err(line),
      color: options.color ?? false,
      signal: abort.signal,
    });
    void cluster.supervisor.unexpectedExit.then((e) => {
      childExit = e;
      abort.abort(new ChildExitedError(e));
    });
    io.err(
      `[dev] router ${cluster.routerAddress}, executors ${cluster.executorAddresses.join(' ')}, collector ${cluster.collectorAddress}`,
    );

    client = new RouterClient(cluster.routerAddress);
    io.err(`[dev] deploying ${model.descriptor.dataType}/${model.descriptor.name} from ${model.source}`);
    const deployed = await guard(
      client.deploy({ model: model.descriptor, wait: true, waitTimeoutMs: 30_000 }),
    );
    const failed = deployed.statuses.find((s) => s.state === ModelStatus_State.FAILED);
    if (failed)
      throw new ServingError(
        Code.FAILED_PRECONDITION,
        `${deployed.modelKey} failed on ${failed.executor}: ${failed.error}`,
      );
    if (output === 'text') {
      io.out(`deployed ${deployed.modelKey}`);
      io.out(statusLines(deployed.statuses, false).join('\n'));
    }

    const total = cmd.loop ? undefined : (cmd.records ?? wines.length);
    const comparable = !Number.isNaN(wines[0]!.quality);
    if (output === 'text') {
      io.out(
        `streaming ${total === undefined ? 'wines until Ctrl-C' : `${total} wines`} from ${source}${cmd.rate ? ` at ${cmd.rate} records/s` : ''}`,
      );
    }
    const summary = await streamWines(client.raw.predictStream(), {
      wines,
      total,
      ...(cmd.rate !== undefined ? { rate: cmd.rate } : {}),
      sample: output === 'text' ? cmd.sample : 0,
      signal: abort.signal,
      onSample: (s) => io.out(sampleLine(s)),
      ...(cmd.loop && output === 'text'
        ? {
            onProgress: (p) =>
              io.err(`[dev] ${p.received} records, ${Math.round(p.rate)} records/s, ${p.errors} errors`),
          }
        : {}),
    });
    if (childExit) throw new ChildExitedError(childExit);

    // Stats are worth printing even after a Ctrl-C during --loop; only a dead child skips them.
    let status: GetModelStatusResponse | undefined;
    try {
      status = await client.status(model.descriptor.dataType, model.descriptor.name);
    } catch (err) {
      io.err(`[dev] model status: ${formatError(err)}`);
    }
    if (output === 'json') {
      io.out(
        toJsonText({
          router: cluster.routerAddress,
          model: deployed.modelKey,
          summary,
          statuses: status ? status.statuses.map(statusJson) : [],
        }),
      );
    } else {
      io.out(summaryLines(summary, comparable).join('\n'));
      if (status) io.out(`model ${deployed.modelKey}\n${statusLines(status.statuses, true).join('\n')}`);
    }
    const ok = summary.errors === 0 && summary.streamError === undefined;

    if (cmd.keepRunning && !abort.signal.aborted) {
      io.err(
        `[dev] services keep running; router at ${cluster.routerAddress} (try: modelserving --router ${cluster.routerAddress} list). Ctrl-C stops them.`,
      );
      await interrupted.catch(() => undefined);
      if (childExit) throw new ChildExitedError(childExit);
    }
    return ok ? EXIT.ok : EXIT.failed;
  } catch (err) {
    if (err instanceof Interrupted) return EXIT.ok;
    if (err instanceof ChildExitedError) {
      io.err(
        `error: UNAVAILABLE: ${err.exit.name} ${describeExit(err.exit)} unexpectedly; stopping the rest`,
      );
      return EXIT.failed;
    }
    if (childExit) {
      io.err(
        `error: UNAVAILABLE: ${childExit.name} ${describeExit(childExit)} unexpectedly; stopping the rest`,
      );
      return EXIT.failed;
    }
    io.err(formatError(err));
    return EXIT.failed;
  } finally {
    client?.close();
    if (cluster) {
      io.err('[dev] stopping');
      await cluster.stop();
      io.err('[dev] stopped');
    }
    options.signal?.removeEventListener('abort', onParentAbort);
    if (options.handleSignals !== false) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
