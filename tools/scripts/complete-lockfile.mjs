#!/usr/bin/env node
// Adds the platform-specific optional packages that npm left out of package-lock.json.
//
// npm writes no lock entry for an optional dependency it cannot resolve from the registry it uses
// (the registry mirror this project is developed against lacks some macOS/Windows/musl builds of buf,
// rollup and unrs-resolver), and `npm ci` then refuses the lockfile ("Missing: X from lock file").
// Each such entry is added with the package's os/cpu/libc constraints derived from its name, so npm ci
// accepts the lockfile and skips the package on every other platform, as it would have anyway.
// Usage: node tools/scripts/complete-lockfile.mjs [--check]   (run it after `npm install`)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const lockPath = resolve(root, 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const check = process.argv.includes('--check');

const OS = [
  'darwin',
  'linux',
  'win32',
  'freebsd',
  'android',
  'openbsd',
  'openharmony',
  'netbsd',
  'sunos',
  'aix',
];
const CPU = [
  [/(^|-)(arm64|aarch64)(-|$)/, 'arm64'],
  [/(^|-)x64(-|$)/, 'x64'],
  [/(^|-)ia32(-|$)/, 'ia32'],
  [/(^|-)(arm|armv7)(-|$)/, 'arm'],
  [/(^|-)loong64(-|$)/, 'loong64'],
  [/(^|-)ppc64(-|$)/, 'ppc64'],
  [/(^|-)riscv64(-|$)/, 'riscv64'],
  [/(^|-)s390x(-|$)/, 's390x'],
];

function constraints(name) {
  const base = name.split('/').pop();
  const os = OS.find((o) => new RegExp(`(^|-)${o}(-|$)`).test(base));
  const cpu = CPU.find(([re]) => re.test(base))?.[1];
  if (!os || !cpu) return undefined;
  const c = { os: [os], cpu: [cpu] };
  if (/-musl/.test(base)) c.libc = ['musl'];
  else if (os === 'linux' && /-gnu/.test(base)) c.libc = ['glibc'];
  return c;
}

const added = [];
const unknown = [];
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    // Resolution looks beside the dependent first, then up to the root node_modules.
    const nested = `${path}/node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[hoisted]) continue;
    const c = constraints(name);
    if (!c) {
      unknown.push(`${name} (optional dependency of ${path || 'the root'})`);
      continue;
    }
    lock.packages[hoisted] = { version: spec, ...c, optional: true, ...(entry.dev ? { dev: true } : {}) };
    added.push(`${name}@${spec}`);
  }
}

if (unknown.length) {
  console.error(`cannot derive the platform of: ${unknown.join(', ')}`);
  process.exit(1);
}
if (check) {
  if (added.length) {
    console.error(
      `package-lock.json lacks ${added.length} platform packages; run node tools/scripts/complete-lockfile.mjs`,
    );
    process.exit(1);
  }
  console.log('package-lock.json lists every optional platform package');
} else {
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) =>
      a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0,
    ),
  );
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(
    added.length ? `added ${added.length} platform packages: ${added.join(', ')}` : 'nothing to add',
  );
}
