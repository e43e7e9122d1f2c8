import './instrument';
import { telemetry } from './instrument';
import { processIo } from './io';
import { runCli } from './run-cli';

// Composition root of the `modelserving` command: run, flush telemetry last, exit with the command's code.
// process.exit (not exitCode) so a lingering handle can never keep a finished command alive; stdout and
// stderr are synchronous for files and pipes on Linux, so nothing printed is lost.
void runCli(process.argv.slice(2), processIo, { dev: { color: process.stderr.isTTY === true } }).then(
  async (code) => {
    await telemetry.shutdown();
    process.exit(code);
  },
);
