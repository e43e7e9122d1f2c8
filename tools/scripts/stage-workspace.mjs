// Used by the Dockerfile's <target>-files stages: writes to OUT what one workspace package needs at run
// time, so each image carries only its service. npm ci checks every workspace's package.json against the
// lockfile, so all of them are copied (a few KiB); dist/ (and bin/) only for the package and the workspace
// packages it depends on in production, followed transitively. Then proto/ (server reflection loads it).
//   node tools/scripts/stage-workspace.mjs @modelserving/router /out
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, out] = process.argv.slice(2);
if (!name || !out) {
  console.error('usage: stage-workspace.mjs <package> <out-dir>');
  process.exit(2);
}
const readJson = (f) => JSON.parse(readFileSync(f, 'utf8'));

const dirs = new Map();
for (const pattern of readJson('package.json').workspaces) {
  const group = pattern.replace(/\/\*$/, '');
  for (const d of readdirSync(group)) {
    const manifest = join(group, d, 'package.json');
    if (!existsSync(manifest)) continue;
    dirs.set(readJson(manifest).name, join(group, d));
    cpSync(manifest, join(out, manifest));
  }
}

const seen = new Set();
const todo = [name];
while (todo.length > 0) {
  const n = todo.pop();
  if (seen.has(n)) continue;
  seen.add(n);
  const dir = dirs.get(n);
  if (!dir) throw new Error(`no workspace named ${n}`);
  for (const sub of ['dist', 'bin']) {
    if (existsSync(join(dir, sub))) cpSync(join(dir, sub), join(out, dir, sub), { recursive: true });
  }
  for (const dep of Object.keys(readJson(join(dir, 'package.json')).dependencies ?? {})) {
    if (dirs.has(dep)) todo.push(dep);
  }
}
for (const f of ['package.json', 'package-lock.json']) cpSync(f, join(out, f));
cpSync('proto', join(out, 'proto'), { recursive: true });
console.log(
  `${name}: ${[...seen]
    .map((n) => dirs.get(n))
    .sort()
    .join(' ')}`,
);
