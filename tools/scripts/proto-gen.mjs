#!/usr/bin/env node
// Regenerates libs/contracts/src/gen from proto/ with buf + ts-proto. With --check, generates into a
// temporary folder and fails when the committed code differs (generated code must never drift).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const gen = join(root, 'libs/contracts/src/gen');
const buf = join(root, 'node_modules/.bin/buf');
const check = process.argv.includes('--check');

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out.sort();
}

execFileSync(buf, ['lint'], { cwd: join(root, 'proto'), stdio: 'inherit' });
if (!check) {
  rmSync(gen, { recursive: true, force: true });
  execFileSync(buf, ['generate'], { cwd: join(root, 'proto'), stdio: 'inherit' });
  console.log(`generated ${files(gen).length} files into ${relative(root, gen)}`);
} else {
  const tmp = mkdtempSync(join(tmpdir(), 'proto-gen-'));
  try {
    const template = readFileSync(join(root, 'proto/buf.gen.yaml'), 'utf8')
      .replace(
        '../node_modules/.bin/protoc-gen-ts_proto',
        join(root, 'node_modules/.bin/protoc-gen-ts_proto'),
      )
      .replace('../libs/contracts/src/gen', join(tmp, 'gen'));
    execFileSync(buf, ['generate', '--template', template], { cwd: join(root, 'proto'), stdio: 'inherit' });
    const want = files(join(tmp, 'gen')).map((p) => relative(join(tmp, 'gen'), p));
    const have = files(gen).map((p) => relative(gen, p));
    const drift = [];
    for (const f of new Set([...want, ...have])) {
      const a = want.includes(f) ? readFileSync(join(tmp, 'gen', f), 'utf8') : undefined;
      const b = have.includes(f) ? readFileSync(join(gen, f), 'utf8') : undefined;
      if (a !== b) drift.push(f);
    }
    if (drift.length) {
      console.error(`generated code drifted from proto/ (run npm run proto:gen): ${drift.join(', ')}`);
      process.exit(1);
    }
    console.log(`contracts match proto/ (${want.length} files)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
