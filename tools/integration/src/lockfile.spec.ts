import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm ci` from a fresh clone refuses a lockfile that lacks an optional platform package, and npm leaves
// out the ones its registry cannot serve. tools/scripts/complete-lockfile.mjs puts them back; this keeps
// a later `npm install` from silently breaking `npm ci`.
describe('package-lock.json', () => {
  it('lists every optional platform package (run node tools/scripts/complete-lockfile.mjs after npm install)', () => {
    const root = resolve(__dirname, '../../..');
    const r = spawnSync(process.execPath, [resolve(root, 'tools/scripts/complete-lockfile.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
