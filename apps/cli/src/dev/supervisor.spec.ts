import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from './free-port';
import { ChildExitedError, ProcessSupervisor } from './supervisor';

// A tiny stand-in for a service: a grpc health server whose behaviour FAKE_MODE picks.
const FAKE_CHILD = `
const grpc = require(${JSON.stringify(require.resolve('@grpc/grpc-js'))});
const { HealthImplementation } = require(${JSON.stringify(require.resolve('grpc-health-check'))});
const mode = process.env.FAKE_MODE;
console.error('fake child up, mode ' + mode);
if (mode === 'exit-early') process.exit(7);
if (mode === 'ready-line') {
  setTimeout(() => console.log('ServerReady'), 150);
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => {}, 1000);
} else {
  const server = new grpc.Server();
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  health.addToServer(server);
  server.bindAsync('127.0.0.1:' + process.env.FAKE_PORT, grpc.ServerCredentials.createInsecure(), (err) => {
    if (err) { console.error(err.message); process.exit(2); }
    // Serving a moment later, like a service loading its state.
    setTimeout(() => health.setStatus('', 'SERVING'), 200);
    if (mode === 'crash') setTimeout(() => { console.error('crashing'); process.exit(3); }, 400);
  });
  process.on('SIGTERM', () => {
    console.log('got SIGTERM');
    if (mode === 'stubborn') return;
    server.tryShutdown(() => process.exit(0));
  });
}
`;

let dir: string;
let script: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'modelserving-cli-supervisor-'));
  script = join(dir, 'fake-child.js');
  writeFileSync(script, FAKE_CHILD);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const supervisors: ProcessSupervisor[] = [];
afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.stopAll();
});

function supervisor(lines: string[], stopTimeoutMs = 5_000): ProcessSupervisor {
  const s = new ProcessSupervisor({ log: (l) => lines.push(l), stopTimeoutMs, readyTimeoutMs: 10_000 });
  supervisors.push(s);
  return s;
}

async function fake(s: ProcessSupervisor, name: string, mode: string) {
  const [port] = await freePorts(1);
  const child = s.start({
    name,
    args: [script],
    env: { ...process.env, FAKE_MODE: mode, FAKE_PORT: String(port) },
    ...(mode === 'ready-line' ? { readyPattern: /ServerReady/ } : { healthAddress: `127.0.0.1:${port}` }),
  });
  return { child, port: port! };
}

describe('ProcessSupervisor', () => {
  it('waits for health, prefixes output with the name and stops with SIGTERM', async () => {
    const lines: string[] = [];
    const s = supervisor(lines);
    const { child } = await fake(s, 'alpha', 'serve');
    const t0 = Date.now();
    await child.ready();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // it was NOT_SERVING for 200 ms
    expect(child.running).toBe(true);
    const exits = await s.stopAll();
    expect(exits).toEqual([{ name: 'alpha', code: 0, signal: null, expected: true }]);
    expect(lines.some((l) => /^\[alpha\]\s+fake child up, mode serve$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\[alpha\]\s+got SIGTERM$/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/unexpectedly/);
  });

  it('accepts a ready line instead of a health check', async () => {
    const s = supervisor([]);
    const { child } = await fake(s, 'liner', 'ready-line');
    await child.ready();
    const [exit] = await s.stopAll();
    expect(exit).toMatchObject({ name: 'liner', code: 0, expected: true });
  });

  it('reports a child that exits on its own', async () => {
    const lines: string[] = [];
    const s = supervisor(lines);
    const { child: calm } = await fake(s, 'calm', 'serve');
    const { child: crashy } = await fake(s, 'crashy', 'crash');
    await Promise.all([calm.ready(), crashy.ready()]);
    const exit = await s.unexpectedExit;
    expect(exit).toEqual({ name: 'crashy', code: 3, signal: null, expected: false });
    expect(lines).toContainEqual(expect.stringMatching(/\[crashy\]\s+exited with code 3 unexpectedly/));
    expect(calm.running).toBe(true);
    const exits = await s.stopAll();
    expect(exits.find((e) => e.name === 'calm')).toMatchObject({ code: 0, expected: true });
  });

  it('rejects ready() when the child dies before it is ready', async () => {
    const s = supervisor([]);
    const { child } = await fake(s, 'early', 'exit-early');
    const err = await child.ready().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildExitedError);
    expect((err as ChildExitedError).exit).toMatchObject({ name: 'early', code: 7, expected: false });
  });

  it('kills a child that ignores SIGTERM after the stop timeout', async () => {
    const lines: string[] = [];
    const s = supervisor(lines, 300);
    const { child } = await fake(s, 'stubborn', 'stubborn');
    await child.ready();
    const [exit] = await s.stopAll();
    expect(exit).toMatchObject({ name: 'stubborn', signal: 'SIGKILL', expected: true });
    expect(lines).toContainEqual(expect.stringMatching(/did not stop within 300 ms: SIGKILL/));
  });

  it('stops groups in the order given', async () => {
    const lines: string[] = [];
    const s = supervisor(lines);
    const a = await fake(s, 'first', 'serve');
    const b = await fake(s, 'second', 'serve');
    await Promise.all([a.child.ready(), b.child.ready()]);
    const order: string[] = [];
    void a.child.exited.then(() => order.push('first'));
    void b.child.exited.then(() => order.push('second'));
    await s.stopAll([['first'], ['second']]);
    expect(order).toEqual(['first', 'second']);
  });
});
