import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// docker-compose.yml and the Dockerfile at the checkout root. `docker compose config` validates the file
// without a Docker daemon; where no compose command is installed that test is skipped and says so. The
// text checks below need no tool and keep the file in line with the services' configuration names.

const ROOT = resolve(__dirname, '../../..');
const COMPOSE = resolve(ROOT, 'docker-compose.yml');

function composeCommand(): string[] | undefined {
  for (const cmd of [['docker', 'compose'], ['docker-compose']]) {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), 'version'], { encoding: 'utf8', timeout: 20_000 });
    if (r.status === 0) return cmd;
  }
  return undefined;
}

const compose = composeCommand();
const composeText = readFileSync(COMPOSE, 'utf8');
const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');

/** The block of one top-level service (two-space indented key up to the next one). */
function serviceBlock(name: string): string {
  const m = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(composeText);
  if (!m) throw new Error(`service ${name} not found in docker-compose.yml`);
  return m[1]!;
}

describe('docker-compose.yml', () => {
  const title = compose
    ? `passes \`${compose.join(' ')} config -q\``
    : 'passes `docker compose config -q` (SKIPPED: neither `docker compose` nor `docker-compose` is installed)';
  it.skipIf(!compose)(title, () => {
    const r = spawnSync(compose![0]!, [...compose!.slice(1), '-f', COMPOSE, 'config', '-q'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    // Compose v2 prints notices on stderr that v1 does not, so stderr need not be empty; but neither
    // version may find something obsolete in the file (v2 warns about a top-level `version:`).
    expect(r.stderr).not.toMatch(/obsolete|deprecat/i);
  });

  it('has the services, wired with the documented variables', () => {
    for (const s of ['redis', 'jaeger', 'router', 'executor-1', 'executor-2', 'collector'])
      expect(() => serviceBlock(s)).not.toThrow();
    const router = serviceBlock('router');
    expect(router).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
    expect(router).toMatch(/COLLECTOR_ADDRESS: collector:50071/);
    expect(router).toMatch(/OTEL_SERVICE_NAME: router/);
    expect(router).toMatch(/'50051:50051'/);
    for (const n of [1, 2]) {
      const e = serviceBlock(`executor-${n}`);
      expect(e).toMatch(new RegExp(`EXECUTOR_ADVERTISE_ADDRESS: executor-${n}:50061`));
      expect(e).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
      expect(e).toMatch(/COLLECTOR_ADDRESS: collector:50071/);
    }
    expect(composeText).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT: http:\/\/jaeger:4317/);
    expect(serviceBlock('jaeger')).toMatch(/jaegertracing\/all-in-one/);
    expect(serviceBlock('jaeger')).toMatch(/16686:16686/);
  });

  it('has no top-level `version:` (obsolete in Compose v2) nor `name:` (rejected by docker-compose 1.29)', () => {
    expect(composeText).not.toMatch(/^version:/m);
    expect(composeText).not.toMatch(/^name:/m);
  });

  it('restarts every long-running service after a crash', () => {
    for (const s of ['redis', 'jaeger', 'router', 'executor-1', 'executor-2', 'collector'])
      expect(serviceBlock(s), s).toMatch(/^ {4}restart: unless-stopped$/m);
  });

  it('runs Redis with AOF on a named volume, so a Redis restart keeps the models', () => {
    const redis = serviceBlock('redis');
    expect(redis).toMatch(/'--appendonly', 'yes'/);
    expect(redis).not.toMatch(/'--appendonly', 'no'/);
    const volume = /^ {6}- ([\w-]+):\/data$/m.exec(redis);
    expect(volume, 'a named volume mounted at /data').not.toBeNull();
    expect(redis).toMatch(/'--dir', '\/data'/);
    expect(composeText).toMatch(new RegExp(`^volumes:\\n  ${volume![1]!}:`, 'm'));
  });

  it('builds every service from a target the Dockerfile defines', () => {
    const targets = [...composeText.matchAll(/target: ([\w-]+)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThanOrEqual(4);
    for (const t of targets) expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${t}$`, 'm'));
  });
});

describe('Dockerfile', () => {
  it('builds with npm ci + nx, runs node:20-slim as the node user with production deps and proto/', () => {
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/nx run-many -t build/);
    expect(dockerfile).toMatch(/node:20-slim/);
    expect(dockerfile).toMatch(/npm ci --omit=dev -w "\$1" --include-workspace-root=false/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/node tools\/scripts\/stage-workspace\.mjs "\$1" \/out/);
  });

  it('has no `# syntax=` line (BuildKit would fetch a frontend image from Docker Hub for it)', () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax=/im);
  });

  it('copies only workspace folders that have a package.json (tools/scripts has none)', () => {
    // The bug this guards: a loop over libs/* apps/* tools/* that copied "$d/package.json" for every folder.
    expect(dockerfile).not.toMatch(/cp "\$d\/package\.json"/);
    expect(dockerfile).toMatch(/\[ -f "\$f" \] \|\| continue/);
  });

  it('stages only what a service needs: the router gets no model-format libraries', () => {
    const out = mkdtempSync(join(tmpdir(), 'stage-'));
    try {
      execFileSync(process.execPath, ['tools/scripts/stage-workspace.mjs', '@modelserving/router', out], {
        cwd: ROOT,
        stdio: 'pipe',
      });
      const has = (p: string) => existsSync(join(out, p));
      for (const p of [
        'apps/router/dist',
        'libs/service-kit/dist',
        'libs/model-store/dist',
        'proto',
        'package-lock.json',
      ])
        expect(has(p), p).toBe(true);
      for (const p of [
        'libs/pmml/dist',
        'libs/pfa/dist',
        'libs/tensorflow/dist',
        'libs/testing/dist',
        'apps/cli/dist',
      ])
        expect(has(p), p).toBe(false);
      // Every workspace manifest is there (npm ci checks them all against the lockfile); tools/scripts has none.
      expect(has('libs/pmml/package.json')).toBe(true);
      expect(has('tools/scripts/package.json')).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("checks each service's health on the port variable the service reads at run time", () => {
    expect(dockerfile).not.toMatch(/HEALTH_ADDRESS/);
    const checks = [...dockerfile.matchAll(/^FROM runtime AS ([\w-]+)$([\s\S]*?)(?=^FROM |(?![\s\S]))/gm)];
    const ports: Record<string, string> = {
      router: 'ROUTER_PORT',
      'model-executor': 'EXECUTOR_PORT',
      'speculative-collector': 'COLLECTOR_PORT',
    };
    for (const [target, variable] of Object.entries(ports)) {
      const stage = checks.find((m) => m[1] === target);
      expect(stage, target).toBeDefined();
      expect(stage![2]).toMatch(new RegExp(`^HEALTHCHECK [\\s\\S]*process\\.env\\.${variable}\\b`, 'm'));
      expect(stage![2]).toMatch(new RegExp(`^ENV ${variable}=`, 'm'));
    }
  });

  it('gives each service image only its own workspaces and production dependencies', () => {
    for (const t of ['router', 'model-executor', 'speculative-collector', 'cli']) {
      expect(dockerfile).toMatch(
        new RegExp(`^FROM build AS ${t}-files\\nRUN stage-workspace @modelserving/${t}$`, 'm'),
      );
      expect(dockerfile).toMatch(new RegExp(`^COPY --from=${t}-files --chown=node:node /out/ \\./$`, 'm'));
    }
  });
});
