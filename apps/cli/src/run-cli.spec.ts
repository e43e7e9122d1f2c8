import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelStatus_State } from '@modelserving/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRouter, type FakeRouter } from './fake-router.spec-helper';
import { memoryIo } from './io';
import { runCli } from './run-cli';

let router: FakeRouter;
let dir: string;

beforeAll(async () => {
  router = await startFakeRouter();
  dir = mkdtempSync(join(tmpdir(), 'modelserving-cli-'));
});

afterAll(async () => {
  await router.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const io = memoryIo();
  const code = await runCli(['--router', router.address, ...argv], io, { env: {} });
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('modelserving against a router', () => {
  it('deploys a file inline, waits and prints each owner', async () => {
    const file = join(dir, 'tree.pmml');
    writeFileSync(file, '<PMML/>');
    router.deployStates = [
      { executor: '127.0.0.1:50062', state: ModelStatus_State.SERVING },
      { executor: '127.0.0.1:50063', state: ModelStatus_State.SERVING },
    ];
    const r = await cli(
      'deploy',
      '--name',
      'tree',
      '--data-type',
      'wine',
      '--type',
      'pmml',
      '--file',
      file,
      '--meta',
      'k=v',
      '--description',
      'd',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^deployed wine\/tree \(stream position \d+\)/);
    expect(r.out).toMatch(/127\.0\.0\.1:50062\s+SERVING\s+gen 1/);
    expect(r.out).toMatch(/127\.0\.0\.1:50063\s+SERVING/);
    const sent = router.deploys.at(-1)!;
    expect(sent.wait).toBe(true);
    expect(sent.waitTimeoutMs).toBe(30_000);
    expect(sent.model).toMatchObject({
      name: 'tree',
      dataType: 'wine',
      modelType: 2,
      description: 'd',
      metadata: { k: 'v' },
    });
    expect(Buffer.from(sent.model!.data!).toString()).toBe('<PMML/>');
    expect(sent.model!.location).toBeUndefined();
  });

  it('exits 1 with the error when an owner reports FAILED', async () => {
    router.deployStates = [
      { executor: 'e1', state: ModelStatus_State.SERVING },
      { executor: 'e2', state: ModelStatus_State.FAILED, error: 'PMML parse error at line 3' },
    ];
    const r = await cli(
      'deploy',
      '--name',
      'bad',
      '--data-type',
      'wine',
      '--type',
      'pmml',
      '--location',
      'http://models/bad.pmml',
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/e2\s+FAILED/);
    expect(r.err).toBe('error: FAILED_PRECONDITION: wine/bad failed on e2: PMML parse error at line 3');
    expect(router.deploys.at(-1)!.model!.location).toBe('http://models/bad.pmml');
  });

  it('sends wait=false with --no-wait and makes relative locations absolute', async () => {
    const r = await cli(
      'deploy',
      '--name',
      'm',
      '--data-type',
      'wine',
      '--type',
      'pmml',
      '--location',
      'models/m.pmml',
      '--no-wait',
    );
    expect(r.code).toBe(0);
    const sent = router.deploys.at(-1)!;
    expect(sent.wait).toBe(false);
    expect(sent.model!.location).toBe(join(process.cwd(), 'models/m.pmml'));
  });

  it('reports a missing model file as NOT_FOUND without contacting the router', async () => {
    const before = router.deploys.length;
    const r = await cli(
      'deploy',
      '--name',
      'm',
      '--data-type',
      'wine',
      '--type',
      'pmml',
      '--file',
      join(dir, 'nope.pmml'),
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: NOT_FOUND: cannot read model file .*nope\.pmml/);
    expect(router.deploys.length).toBe(before);
  });

  it('predicts one record from --json', async () => {
    const r = await cli('predict', '--data-type', 'wine', '--json', '{"alcohol": 11.2}');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/value\s+6/);
    expect(r.out).toMatch(/model\s+wine\/tree/);
    expect(router.predicts.at(-1)!.data!.features).toEqual({ alcohol: { number: 11.2 } });
  });

  it('prints predict results as JSON with --output json', async () => {
    const r = await cli(
      'predict',
      '--data-type',
      'wine',
      '--json',
      '{"alcohol": 9}',
      '--output',
      'json',
      '--guid',
      'g1',
    );
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out);
    expect(parsed).toMatchObject({
      guid: 'g1',
      result: { value: '5', model: 'wine/tree', outputs: { 'probability(5)': 0.25 } },
    });
  });

  it('turns gRPC errors and per-record errors into one error line and exit 1', async () => {
    const nf = await cli('predict', '--data-type', 'unknown', '--json', '{"x": 1}');
    expect(nf.code).toBe(1);
    expect(nf.err).toBe("error: NOT_FOUND: no model for data type 'unknown'");
    const broken = await cli('predict', '--data-type', 'broken', '--json', '{"x": 1}');
    expect(broken.code).toBe(1);
    expect(broken.err).toBe('error: INTERNAL: model exploded');
    const undeploy = await cli('undeploy', '--data-type', 'wine', '--name', 'ghost');
    expect(undeploy.err).toBe('error: NOT_FOUND: model wine/ghost is not deployed');
    expect(undeploy.err).not.toMatch(/\n\s+at /);
  });

  it('says UNAVAILABLE when no router listens', async () => {
    const io = memoryIo();
    const code = await runCli(['--router', '127.0.0.1:1', 'list'], io, { env: {} });
    expect(code).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/^error: UNAVAILABLE: /);
  });

  it('exits 2 on usage errors', async () => {
    const r = await cli('status', '--data-type', 'wine');
    expect(r.code).toBe(2);
    expect(r.err).toBe("error: INVALID_ARGUMENT: 'status' needs --name");
  });

  it('lists, shows status with stats, policies, suspension and speculative stats', async () => {
    const list = await cli('list');
    expect(list.out).toBe('wine  (decider majority, timeout 100 ms)\n  tree\n  forest');
    const listJson = JSON.parse((await cli('list', '--json')).out);
    expect(listJson.dataTypes[0]).toMatchObject({ dataType: 'wine', models: ['tree', 'forest'] });

    const st = await cli('status', '--data-type', 'wine', '--name', 'tree');
    expect(st.code).toBe(0);
    expect(st.out).toMatch(
      /usage 4\s+avg 0\.500 ms\s+min 0\.250 ms\s+max 1\.000 ms\s+since 2024-01-02T03:04:05\.000Z/,
    );
    const stJson = JSON.parse((await cli('status', '--data-type', 'wine', '--name', 'tree', '--json')).out);
    expect(stJson.statuses[0]).toMatchObject({
      state: 'SERVING',
      modelType: 'PMML',
      stats: { usage: 4, avgMs: 0.5, minMs: 0.25, maxMs: 1 },
    });

    expect((await cli('suspend')).out).toBe('deployments suspended');
    expect((await cli('resume')).out).toBe('deployments accepted');
    expect((await cli('policy', '--data-type', 'wine', '--decider', 'first', '--timeout-ms', '50')).out).toBe(
      'policy of wine: decider first, timeout 50 ms (stream position 12)',
    );
    const spec = await cli('spec-stats');
    expect(spec.out).toMatch(/wine\s+majority\s+100 ms\s+2\s+1\.500 ms/);
  });

  it('prints help', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: modelserving <command>/);
    for (const c of [
      'deploy',
      'undeploy',
      'list',
      'status',
      'predict',
      'suspend',
      'resume',
      'policy',
      'spec-stats',
      'dev',
    ])
      expect(r.out).toContain(`  ${c} `);
    expect((await cli('help', 'predict')).out).toMatch(/--csv-row ROW/);
  });
});
