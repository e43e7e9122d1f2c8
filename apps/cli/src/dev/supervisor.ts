import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sleep } from '@modelserving/service-kit';
import type { Readable } from 'node:stream';
import { checkHealth } from '@modelserving/transport';

export interface ChildSpec {
  readonly name: string;
  /** Executable; default: this Node binary. */
  readonly command?: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** gRPC address whose standard health service reports SERVING once the child is ready. */
  readonly healthAddress?: string;
  /** Or a line of the child's output that says it is ready. */
  readonly readyPattern?: RegExp;
}

export interface ChildExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** False when the child went away without being asked to. */
  readonly expected: boolean;
}

export function describeExit(e: ChildExit): string {
  return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code ?? '?'}`;
}

/** A child died while we were waiting on it (or the demo was running). */
export class ChildExitedError extends Error {
  override readonly name = 'ChildExitedError';
  constructor(readonly exit: ChildExit) {
    super(`${exit.name} ${describeExit(exit)}`);
  }
}

export interface SupervisorOptions {
  /** Receives each prefixed output line and the supervisor's own messages. */
  readonly log?: (line: string) => void;
  /** How long a child gets between SIGTERM and SIGKILL. */
  readonly stopTimeoutMs?: number;
  /** How long `ready()` waits. */
  readonly readyTimeoutMs?: number;
  /** Colour the name prefixes (terminals). */
  readonly color?: boolean;
  /** Rewrites each output line before it is prefixed (e.g. JSON log lines made readable). */
  readonly formatLine?: (line: string) => string;
}

const COLORS = [36, 33, 35, 32, 34, 91];

/** One child process: output prefixed with its name, readiness, graceful stop. */
export class SupervisedChild {
  readonly exited: Promise<ChildExit>;
  private exitInfo: ChildExit | undefined;
  private stopRequested = false;
  private readyLineSeen = false;
  private readonly readyWaiters: (() => void)[] = [];

  constructor(
    readonly spec: ChildSpec,
    private readonly proc: ChildProcess,
    private readonly prefix: string,
    private readonly log: (line: string) => void,
    private readonly formatLine: (line: string) => string,
    private readonly isShuttingDown: () => boolean,
  ) {
    this.exited = new Promise<ChildExit>((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.exitInfo) return;
        this.exitInfo = {
          name: spec.name,
          code,
          signal,
          expected: this.stopRequested || this.isShuttingDown(),
        };
        resolve(this.exitInfo);
      };
      proc.once('exit', done);
      proc.once('error', (err) => {
        this.log(`${this.prefix} cannot start: ${err.message}`);
        done(null, null);
      });
    });
    this.pipe(proc.stdout);
    this.pipe(proc.stderr);
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  private pipe(stream: Readable | null): void {
    if (!stream) return;
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', (line) => {
      this.log(`${this.prefix} ${this.formatLine(line)}`);
      if (!this.readyLineSeen && this.spec.readyPattern?.test(line)) {
        this.readyLineSeen = true;
        for (const w of this.readyWaiters.splice(0)) w();
      }
    });
  }

  /**
   * Resolves once the child is ready (health SERVING or its ready line); rejects with ChildExitedError when
   * it dies first, or on timeout or abort.
   */
  async ready(timeoutMs = 30_000, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited: ChildExit | undefined;
    void this.exited.then((e) => (exited = e));
    const check = (): void => {
      if (exited) throw new ChildExitedError(exited);
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      if (Date.now() > deadline) throw new Error(`${this.name} was not ready within ${timeoutMs} ms`);
    };
    if (this.spec.healthAddress) {
      for (;;) {
        check();
        try {
          if ((await checkHealth(this.spec.healthAddress, '', 1_000)) === 'SERVING') return;
        } catch {
          // Not listening yet.
        }
        await Promise.race([sleep(100), this.exited]);
      }
    }
    if (this.spec.readyPattern) {
      while (!this.readyLineSeen) {
        check();
        await Promise.race([new Promise<void>((r) => this.readyWaiters.push(r)), sleep(100), this.exited]);
      }
      return;
    }
    // Nothing to wait for: running is ready.
    check();
  }

  /** SIGTERM, wait up to `timeoutMs`, then SIGKILL. Resolves with how it ended. */
  async stop(timeoutMs: number): Promise<ChildExit> {
    if (this.exitInfo) return this.exitInfo;
    this.stopRequested = true;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.log(`${this.prefix} did not stop within ${timeoutMs} ms: SIGKILL`);
      this.signal('SIGKILL');
    }
    return this.exited;
  }

  /** Immediate SIGKILL (second Ctrl-C, or our own process exiting). */
  kill(): void {
    if (this.exitInfo) return;
    this.stopRequested = true;
    this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    try {
      this.proc.kill(sig);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Runs named child processes for the dev launcher. Children get their own process group, so a Ctrl-C in
 * the terminal reaches only us and we stop them in order; an exit hook SIGKILLs whatever is left if we
 * die first. `unexpectedExit` resolves with the first child that exits without being asked to.
 */
export class ProcessSupervisor {
  readonly unexpectedExit: Promise<ChildExit>;
  private readonly list: SupervisedChild[] = [];
  private shuttingDown = false;
  private reportUnexpected!: (e: ChildExit) => void;
  private readonly log: (line: string) => void;
  private readonly stopTimeoutMs: number;
  readonly readyTimeoutMs: number;
  private readonly color: boolean;
  private readonly formatLine: (line: string) => string;
  private readonly onProcessExit = () => this.killAll();

  constructor(options: SupervisorOptions = {}) {
    this.log = options.log ?? ((line) => void process.stderr.write(line + '\n'));
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.color = options.color ?? false;
    this.formatLine = options.formatLine ?? ((line) => line);
    this.unexpectedExit = new Promise<ChildExit>((resolve) => (this.reportUnexpected = resolve));
  }

  get children(): readonly SupervisedChild[] {
    return this.list;
  }

  get(name: string): SupervisedChild | undefined {
    return this.list.find((c) => c.name === name);
  }

  start(spec: ChildSpec): SupervisedChild {
    if (this.shuttingDown) throw new Error(`cannot start ${spec.name}: shutting down`);
    if (this.get(spec.name)) throw new Error(`a child named ${spec.name} already runs`);
    const proc = spawn(spec.command ?? process.execPath, [...spec.args], {
      env: spec.env ?? process.env,
      cwd: spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const width = Math.max(spec.name.length, 10);
    const label = `[${spec.name}]`.padEnd(width + 2);
    const prefix = this.color ? `\x1b[${COLORS[this.list.length % COLORS.length]}m${label}\x1b[0m` : label;
    const child = new SupervisedChild(spec, proc, prefix, this.log, this.formatLine, () => this.shuttingDown);
    if (this.list.length === 0) process.on('exit', this.onProcessExit);
    this.list.push(child);
    void child.exited.then((e) => {
      if (!e.expected) {
        this.log(`${prefix} ${describeExit(e)} unexpectedly`);
        this.reportUnexpected(e);
      }
      if (this.list.every((c) => !c.running)) process.off('exit', this.onProcessExit);
    });
    return child;
  }

  /**
   * Stops every child: the groups in order, the children of a group together (e.g. router first so it
   * drains, then executors, then collector). Children not named in `order` go last. Idempotent.
   */
  async stopAll(order: readonly (readonly string[])[] = []): Promise<ChildExit[]> {
    this.shuttingDown = true;
    const groups: SupervisedChild[][] = order.map((g) =>
      g.map((n) => this.get(n)).filter((c): c is SupervisedChild => c !== undefined),
    );
    const named = new Set(groups.flat());
    groups.push([...this.list].reverse().filter((c) => !named.has(c)));
    const exits: ChildExit[] = [];
    for (const g of groups) exits.push(...(await Promise.all(g.map((c) => c.stop(this.stopTimeoutMs)))));
    process.off('exit', this.onProcessExit);
    return exits;
  }

  /** SIGKILL everything now, synchronously. */
  killAll(): void {
    this.shuttingDown = true;
    for (const c of this.list) c.kill();
  }
}
