import { conformanceMain } from './run-conformance';

// Entry point of `node tools/conformance/dist/main.js`; the logic lives in run-conformance.ts so the spec
// can run it in-process.
process.exitCode = conformanceMain(process.argv.slice(2), {
  out: (line) => void process.stdout.write(line.endsWith('\n') ? line : line + '\n'),
  err: (line) => void process.stderr.write(line.endsWith('\n') ? line : line + '\n'),
});
