import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedModelStore } from './embedded-model-store';

describe('store directory lock', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'store-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('refuses a second store on the same directory, and frees it on close', async () => {
    const dir = await tempDir();
    const a = await EmbeddedModelStore.open({ dir });
    await expect(EmbeddedModelStore.open({ dir })).rejects.toMatchObject({ code: 9 });
    await a.close();
    const b = await EmbeddedModelStore.open({ dir });
    await b.close();
  });

  it('refuses a directory another live process holds', async () => {
    const dir = await tempDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(dir, 'LOCK'), `${other.pid}\n`);
      await expect(EmbeddedModelStore.open({ dir })).rejects.toThrow(/in use by process/);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over a lock whose process is gone (the router was killed)', async () => {
    const dir = await tempDir();
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    await writeFile(join(dir, 'LOCK'), `${gone.pid}\n`);
    const s = await EmbeddedModelStore.open({ dir });
    expect((await readFile(join(dir, 'LOCK'), 'utf8')).trim()).toBe(String(process.pid));
    await s.close();
  });
});
