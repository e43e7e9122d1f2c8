import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './free-port';

export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Kills the server (SIGTERM, then SIGKILL) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

export interface StartRedisServerOptions {
  /** Port to bind; a free one when omitted (pass the old port to "restart" a server). */
  readonly port?: number;
  /** How long to wait for the server to accept connections. */
  readonly startTimeoutMs?: number;
}

const BINARY = 'redis-server';

/**
 * Spawns a private, non-persistent redis-server on 127.0.0.1 so tests never touch a shared Redis (6379).
 * Throws an Error naming the missing binary when redis-server is not installed, so tests can skip with
 * that message.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerHandle> {
  if (!hasRedisServerBinary()) {
    throw new Error(
      `${BINARY} binary not found on PATH: install Redis (e.g. apt-get install redis-server) to run these tests`,
    );
  }
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  // A free port can be taken by someone else between freePort() and the bind: retry a few times.
  let lastError: unknown;
  for (let attempt = 0; attempt < (options.port === undefined ? 5 : 1); attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await spawnOn(port, startTimeoutMs);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function hasRedisServerBinary(): boolean {
  const probe = spawnSync(BINARY, ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

async function spawnOn(port: number, startTimeoutMs: number): Promise<RedisServerHandle> {
  const child = spawn(
    BINARY,
    [
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep only the tail: enough to explain a failed start.
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  try {
    await waitUntilAccepting(port, child, startTimeoutMs, () => output);
  } catch (err) {
    await kill(child, exited);
    throw err;
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => (stopped ??= kill(child, exited)),
  };
}

async function waitUntilAccepting(
  port: number,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server on port ${port} exited during start-up:\n${output()}`);
    }
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `redis-server on port ${port} did not accept connections within ${timeoutMs} ms:\n${output()}`,
  );
}

/** True when the port answers PING with PONG (so it is our redis, not just any listener). */
function ping(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
