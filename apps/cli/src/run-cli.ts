import { parseCommandLine, type Command } from './args';
import { runList, runPolicy, runSpecStats, runStatus, runSuspend, runUndeploy } from './commands/admin';
import { runDeploy } from './commands/deploy';
import { runPredict } from './commands/predict';
import { runScore } from './commands/score';
import { runVerify } from './commands/verify';
import type { CliConfig } from './config';
import { runDev, type DevRunOptions } from './dev/dev-command';
import { EXIT, exitCodeFor, formatError } from './errors';
import { commandHelp, generalHelp } from './help';
import type { CliIo } from './io';
import { RouterClient } from './router-client';

export interface RunCliOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly dev?: DevRunOptions;
}

async function dispatch(
  command: Exclude<Command, { kind: 'help' } | { kind: 'dev' } | { kind: 'score' } | { kind: 'verify' }>,
  config: CliConfig,
  io: CliIo,
): Promise<number> {
  const client = new RouterClient(config.router, config.callTimeoutMs);
  const out = config.output;
  try {
    switch (command.kind) {
      case 'deploy':
        return await runDeploy(command, client, io, out);
      case 'undeploy':
        return await runUndeploy(command.dataType, command.name, client, io, out);
      case 'list':
        return await runList(command.dataType, client, io, out);
      case 'status':
        return await runStatus(command.dataType, command.name, client, io, out);
      case 'predict':
        return await runPredict(command.request, command.timeoutMs, client, io, out);
      case 'suspend':
        return await runSuspend(true, client, io, out);
      case 'resume':
        return await runSuspend(false, client, io, out);
      case 'policy':
        return await runPolicy(command.policy, client, io, out);
      case 'spec-stats':
        return await runSpecStats(command.dataType, client, io, out);
    }
  } finally {
    client.close();
  }
}

/**
 * Runs one `modelserving` invocation and returns its exit code. Expected failures print one line,
 * `error: <gRPC code name>: <message>`, never a stack trace.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  options: RunCliOptions = {},
): Promise<number> {
  try {
    const { config, command } = parseCommandLine(argv, options.env ?? process.env);
    if (command.kind === 'help') {
      io.out(command.topic ? commandHelp(command.topic) : generalHelp());
      return EXIT.ok;
    }
    if (command.kind === 'dev') return await runDev(command, io, config.output, options.dev);
    // Local commands: they load the model file themselves and never contact a router.
    if (command.kind === 'score') return await runScore(command, io, config.output);
    if (command.kind === 'verify') return await runVerify(command, io, config.output);
    return await dispatch(command, config, io);
  } catch (err) {
    io.err(formatError(err));
    return exitCodeFor(err);
  }
}
