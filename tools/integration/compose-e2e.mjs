#!/usr/bin/env node
// npm run test:compose: the docker-compose topology for real, end to end. Not part of `npm test` (it needs a
// Docker engine and builds four images). From the project root:
//   1. brings the topology up: `docker compose up -d --build` when Docker Hub is reachable, otherwise
//      ../shared/tools/compose-offline/up.sh (KEEP=1 NO_SMOKE=1), which builds the project's own Dockerfile
//      targets FROM a local base image and runs this docker-compose.yml;
//   2. deploys the wine decision tree through the published router port with the project's CLI, and scores
//      records with it;
//   3. crashes the router container (docker kill: SIGKILL, no drain), starts it again, and checks that the
//      model is still listed and serves the same answers; then the same for the Redis container, which must
//      also still hold the model in its store (AOF on the named volume);
//   4. tears everything down, volume included (and, offline, stops the Docker daemon with down.sh).
// Exits 1 with a message naming the failed step. Settings (environment):
//   COMPOSE_E2E_MODE=online|offline  skip the Docker Hub probe
//   COMPOSE_PROJECT_NAME             compose project (default modelserving-e2e, apart from a topology you run)
//   COMPOSE_E2E_KEEP=1               leave the topology up at the end (offline: down.sh stops it later)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = resolve(ROOT, '../shared');
const OFFLINE_TOOLS = resolve(SHARED, 'tools/compose-offline');
const PMML = resolve(SHARED, 'fixtures/wine/pmml/winequalityDecisionTreeClassification.pmml');
const WINES = resolve(SHARED, 'fixtures/wine/winequality_red.csv');
const CLI = resolve(ROOT, 'apps/cli/dist/main.js');
const ROUTER = '127.0.0.1:50051';
const PROJECT = process.env.COMPOSE_PROJECT_NAME || 'modelserving-e2e';
const MODEL = 'wine-tree-e2e';
const DATA_TYPE = 'wine';
const RECORDS = 8;
// The Redis model store's hash of deployed models (libs/model-store redis-model-store.ts, default prefix).
const REDIS_MODELS_KEY = 'modelserving:models';

const started = Date.now();
const env = { ...process.env, COMPOSE_PROJECT_NAME: PROJECT };
const timings = [];

class StepError extends Error {}

function log(msg) {
  console.log(`[compose-e2e +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
}

function fail(msg) {
  throw new StepError(msg);
}

/** Runs a command; returns its output. `inherit` streams it (long builds); `check` fails the step on a non-zero exit. */
function run(cmd, args, { inherit = false, check = true, timeoutMs = 120_000, extraEnv = {} } = {}) {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    stdio: inherit ? 'inherit' : 'pipe',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  const out = { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (check && r.status !== 0)
    fail(`${cmd} ${args.join(' ')} exited with ${r.status}\n${out.stderr.trim() || out.stdout.trim()}`);
  return out;
}

async function timed(label, fn) {
  const t0 = Date.now();
  log(`${label} ...`);
  const result = await fn();
  const s = (Date.now() - t0) / 1000;
  timings.push([label, s]);
  log(`${label}: done in ${s.toFixed(1)} s`);
  return result;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Docker Hub answers /v2/ with 401 when it is reachable at all. */
async function dockerHubReachable() {
  try {
    const res = await fetch('https://registry-1.docker.io/v2/', { signal: AbortSignal.timeout(5_000) });
    return res.status > 0;
  } catch {
    return false;
  }
}

function composeCommand() {
  if (spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' }).status === 0)
    return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0) return ['docker-compose'];
  return undefined;
}

function cli(args, opts = {}) {
  return run(process.execPath, [CLI, '--router', ROUTER, ...args], { timeoutMs: 60_000, ...opts });
}

/** The container id of one compose service of this project. */
function container(service) {
  const ids = run('docker', [
    'ps',
    '-aq',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  ])
    .stdout.split('\n')
    .filter(Boolean);
  if (ids.length !== 1) fail(`expected one container of service ${service}, found ${ids.length}`);
  return ids[0];
}

function state(id) {
  return run('docker', [
    'inspect',
    '-f',
    '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}',
    id,
  ])
    .stdout.trim()
    .split(' ');
}

async function waitHealthy(service, timeoutMs = 120_000) {
  const id = container(service);
  const deadline = Date.now() + timeoutMs;
  let s = state(id);
  while (!(s[0] === 'running' && (s[1] === undefined || s[1] === 'healthy'))) {
    if (Date.now() > deadline)
      fail(`${service} is not healthy after ${timeoutMs / 1000} s (state: ${s.join(' ')})`);
    await sleep(500);
    s = state(id);
  }
}

/** Wines spread over the red-wine file (the first few all score 5), without the quality column. */
function wineRows() {
  const lines = readFileSync(WINES, 'utf8')
    .split('\n')
    .filter((l) => /^[\d.]/.test(l));
  const step = Math.floor(lines.length / RECORDS);
  return Array.from({ length: RECORDS }, (_, i) => lines[i * step].split(';').slice(0, 11).join(';'));
}

/** The router names a model `<data type>/<name>`. */
function isOurModel(name) {
  return name === `${DATA_TYPE}/${MODEL}`;
}

/** Scores every row with the deployed model; returns the predicted values (throws on any failed record). */
function scoreAll(rows) {
  return rows.map((row, i) => {
    const r = cli(
      ['--output', 'json', 'predict', '--data-type', DATA_TYPE, '--model', MODEL, '--csv-row', row],
      {
        check: false,
      },
    );
    if (r.status !== 0)
      fail(`record ${i} was not scored (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
    const res = JSON.parse(r.stdout).result;
    if (!res || !res.processed || !isOurModel(res.model) || res.value === null)
      fail(`record ${i}: unexpected result ${JSON.stringify(res)}`);
    return res.value;
  });
}

function listedModels() {
  const r = cli(['--output', 'json', 'list', '--data-type', DATA_TYPE], { check: false });
  if (r.status !== 0) return { error: r.stderr.trim() || r.stdout.trim() };
  return { models: JSON.parse(r.stdout).dataTypes.flatMap((d) => d.models) };
}

/** Waits (up to timeoutMs) until the model is listed and every record gets the expected answer again. */
async function expectServed(what, rows, expected, timeoutMs = 60_000) {
  const t0 = Date.now();
  let last = '';
  for (let attempt = 1; ; attempt++) {
    try {
      const listed = listedModels();
      if (listed.error) fail(`list failed: ${listed.error}`);
      if (!listed.models.some((m) => m === MODEL || isOurModel(m)))
        fail(`${MODEL} is not listed (listed: ${JSON.stringify(listed.models)})`);
      const values = scoreAll(rows);
      if (JSON.stringify(values) !== JSON.stringify(expected))
        fail(`answers differ: ${JSON.stringify(values)}, before: ${JSON.stringify(expected)}`);
      log(
        `${what}: ${MODEL} listed, same answers (attempt ${attempt}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
      return;
    } catch (err) {
      if (!(err instanceof StepError)) throw err;
      last = err.message;
    }
    if (Date.now() - t0 > timeoutMs) fail(`${what}: model not served within ${timeoutMs / 1000} s: ${last}`);
    await sleep(1_000);
  }
}

/** A crash: SIGKILL (no drain, no shutdown hook), then `docker start`. */
async function crashAndStart(service) {
  const id = container(service);
  run('docker', ['kill', id]);
  const [status] = state(id);
  const code = run('docker', ['inspect', '-f', '{{.State.ExitCode}}', id]).stdout.trim();
  log(`${service} killed (state ${status}, exit code ${code})`);
  run('docker', ['start', id]);
  await waitHealthy(service);
}

function redisModelCount() {
  const r = run('docker', ['exec', container('redis'), 'redis-cli', 'HLEN', REDIS_MODELS_KEY]);
  return Number(r.stdout.trim());
}

function showLogs() {
  for (const s of ['router', 'redis', 'executor-1', 'executor-2']) {
    const id = container(s);
    const r = spawnSync('docker', ['logs', '--tail', '15', id], { env, encoding: 'utf8' });
    console.log(`--- last lines of ${s} ---\n${(r.stdout + r.stderr).trim()}`);
    const h = spawnSync(
      'docker',
      ['inspect', '-f', '{{if .State.Health}}{{json .State.Health.Log}}{{end}}', id],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (h.stdout.trim()) console.log(`--- health checks of ${s} ---\n${h.stdout.trim()}`);
  }
}

function teardown(mode, compose) {
  if (process.env.COMPOSE_E2E_KEEP === '1') {
    log('COMPOSE_E2E_KEEP=1: leaving the topology up');
    return;
  }
  // The test's own containers and volume go first, so the next run starts from an empty store.
  const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`], {
    env,
    encoding: 'utf8',
  }).stdout;
  const list = (ids ?? '').split('\n').filter(Boolean);
  if (list.length > 0) spawnSync('docker', ['rm', '-f', ...list], { env, stdio: 'ignore' });
  const vols = spawnSync(
    'docker',
    ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`],
    {
      env,
      encoding: 'utf8',
    },
  ).stdout;
  const vlist = (vols ?? '').split('\n').filter(Boolean);
  if (vlist.length > 0) spawnSync('docker', ['volume', 'rm', ...vlist], { env, stdio: 'ignore' });
  if (mode === 'offline')
    spawnSync(resolve(OFFLINE_TOOLS, 'down.sh'), [], { cwd: ROOT, env, stdio: 'inherit' });
  else
    spawnSync(compose[0], [...compose.slice(1), 'down', '-v', '--remove-orphans'], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });
  log(`torn down (${vlist.length} volume(s) removed)`);
}

async function main() {
  for (const [what, path] of [
    ['the built CLI (npm run build)', CLI],
    ['the wine decision tree', PMML],
    ['the wine records', WINES],
  ])
    if (!existsSync(path)) fail(`${what} is missing: ${path}`);

  let mode = process.env.COMPOSE_E2E_MODE;
  if (!mode) mode = (await dockerHubReachable()) ? 'online' : 'offline';
  if (mode !== 'online' && mode !== 'offline')
    fail(`COMPOSE_E2E_MODE must be online or offline, not ${mode}`);
  let compose;
  if (mode === 'offline') {
    if (!existsSync(resolve(OFFLINE_TOOLS, 'up.sh')))
      fail(`Docker Hub is not reachable and ${OFFLINE_TOOLS}/up.sh is absent: cannot pull the images`);
    env.DOCKER_HOST = `unix://${process.env.STATE || `${process.env.TMPDIR || '/tmp'}/compose-offline`}/docker.sock`;
    compose = ['docker-compose'];
  } else {
    compose = composeCommand();
    if (!compose) fail('no compose command: install Docker Compose (`docker compose` or `docker-compose`)');
  }
  log(`mode ${mode} (project ${PROJECT}, ${compose.join(' ')})`);

  let up = false;
  try {
    await timed('build and start the topology', async () => {
      up = true;
      if (mode === 'offline')
        run(resolve(OFFLINE_TOOLS, 'up.sh'), [], {
          inherit: true,
          timeoutMs: 60 * 60_000,
          extraEnv: { KEEP: '1', NO_SMOKE: '1' },
        });
      else
        run(compose[0], [...compose.slice(1), 'up', '-d', '--build'], {
          inherit: true,
          timeoutMs: 60 * 60_000,
        });
      for (const s of ['redis', 'collector', 'executor-1', 'executor-2', 'router']) await waitHealthy(s);
    });
    for (const s of ['router', 'model-executor', 'speculative-collector']) {
      const size = run('docker', ['image', 'inspect', '-f', '{{.Size}}', `modelserving/${s}`]).stdout.trim();
      log(`image modelserving/${s}: ${(Number(size) / 1e6).toFixed(0)} MB`);
    }

    const rows = wineRows();
    await timed('deploy the wine tree through the router port', () => {
      const before = redisModelCount();
      const r = cli(['deploy', '--name', MODEL, '--data-type', DATA_TYPE, '--type', 'pmml', '--file', PMML]);
      console.log(r.stdout.trim());
      if (redisModelCount() !== before + 1) fail(`the model store in Redis did not get the model`);
    });
    const expected = await timed(`score ${rows.length} records`, () => scoreAll(rows));
    log(`answers: ${JSON.stringify(expected)}`);
    const storedModels = redisModelCount();

    await timed('crash the router (docker kill) and start it', () => crashAndStart('router'));
    await timed('model served after the router restart', () =>
      expectServed('router restart', rows, expected),
    );

    await timed('crash Redis (docker kill) and start it', () => crashAndStart('redis'));
    const afterRedis = redisModelCount();
    if (afterRedis !== storedModels)
      fail(`Redis lost models in its restart: ${storedModels} before the kill, ${afterRedis} after`);
    log(`Redis kept its ${afterRedis} model(s) (AOF on the volume)`);
    await timed('model served after the Redis restart', () => expectServed('Redis restart', rows, expected));

    // The router again, now that it must reload everything from the Redis that was restarted.
    await timed('crash the router once more and start it', () => crashAndStart('router'));
    await timed('model served after the second router restart', () =>
      expectServed('second router restart', rows, expected),
    );
  } catch (err) {
    if (up) {
      try {
        showLogs();
      } catch {
        // the logs are a courtesy; the failure itself is reported below
      }
    }
    throw err;
  } finally {
    if (up) teardown(mode, compose);
  }
}

try {
  await main();
  console.log('\ntimings:');
  for (const [label, s] of timings) console.log(`  ${label.padEnd(48)} ${s.toFixed(1)} s`);
  console.log(`compose-e2e: PASSED in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} catch (err) {
  console.error(`\ncompose-e2e: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
