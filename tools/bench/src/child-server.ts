import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface ChildServer {
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * Forks one of the bench's server scripts (a separate Node process, like the real services) and waits
 * for the port it reports over IPC: `{ port }`.
 */
export async function forkServer(script: string, args: readonly string[] = []): Promise<ChildServer> {
  const child: ChildProcess = fork(resolve(__dirname, script), [...args], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((res, rej) => {
    child.once('message', (m: { port?: number }) =>
      typeof m.port === 'number' ? res(m.port) : rej(new Error(`${script}: ${JSON.stringify(m)}`)),
    );
    child.once('exit', (code) => rej(new Error(`${script} exited with ${code}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    address: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** For the server scripts: report the bound port to the parent and exit on SIGTERM. */
export function reportPort(port: number, shutdown: () => void): void {
  process.send?.({ port });
  process.on('SIGTERM', () => {
    shutdown();
    process.exit(0);
  });
  // The parent going away (a crashed bench) must not leave servers behind.
  process.on('disconnect', () => {
    shutdown();
    process.exit(0);
  });
}
