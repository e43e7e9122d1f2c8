import { appendFile, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedModelStore } from './embedded-model-store';
import { comparePositions } from './positions';
import { StreamGapError } from './stream-gap-error';
import { Code, descriptor, expectServingError } from './test-support/fixtures';
import { TailReader } from './test-support/tail-reader';

let dir: string;
const opened: EmbeddedModelStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-store-'));
});

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(
  options: Parameters<typeof EmbeddedModelStore.open>[0] = {},
): Promise<EmbeddedModelStore> {
  const store = await EmbeddedModelStore.open({ dir, fsync: false, ...options });
  opened.push(store);
  return store;
}

async function segments(): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.startsWith('events-')).sort();
}

async function lastSegment(): Promise<string> {
  return join(dir, (await segments()).at(-1) as string);
}

async function allEvents(store: EmbeddedModelStore, n: number) {
  const reader = new TailReader(store, '');
  try {
    return await reader.waitForCount(n, 2_000);
  } finally {
    await reader.stop();
  }
}

describe('EmbeddedModelStore data directory', () => {
  it('reopening restores the models, policies, suspended flag, the events with their positions, and blobs', async () => {
    const big = randomBytes(300 * 1024); // above the default 256 KiB inline limit
    const first = await open();
    await first.publish({ deploy: descriptor('a') });
    await first.publish({ deploy: descriptor('big', { data: big }) });
    await first.publish({ deploy: descriptor('c') });
    await first.publish({
      policy: { dataType: 'wine', decider: 'majority', timeoutMs: 80, alwaysSpeculative: true },
    });
    await first.publish({ suspended: true });
    await first.publish({ undeploy: { dataType: 'wine', name: 'a' } });
    const before = await first.snapshot();
    const eventsBefore = await allEvents(first, 6);
    await first.close();
    expect(await readdir(join(dir, 'blobs'))).toHaveLength(1);

    const second = await open();
    expect(await second.snapshot()).toEqual(before);
    expect(before.suspended).toBe(true);
    expect(before.policies).toHaveLength(1);
    expect(await allEvents(second, 6)).toEqual(eventsBefore);
    const location = before.models[0]?.location as string;
    expect(Buffer.from(await second.getBlob(location)).equals(big)).toBe(true);

    const next = await second.publish({ deploy: descriptor('d') });
    expect(comparePositions(next, before.position)).toBeGreaterThan(0);
  });

  it('without a directory nothing is written and nothing survives', async () => {
    const first = await EmbeddedModelStore.open({});
    await first.publish({ deploy: descriptor('a') });
    await first.close();
    const second = await EmbeddedModelStore.open({});
    expect((await second.snapshot()).models).toEqual([]);
    await second.close();
  });

  it('drops a torn trailing record without losing the records before it', async () => {
    const first = await open();
    const p1 = await first.publish({ deploy: descriptor('a') });
    const p2 = await first.publish({ deploy: descriptor('b') });
    await first.close();
    const log = await lastSegment();
    const intactSize = (await stat(log)).size;

    // A crash in the middle of appending a third record: a header promising more bytes than follow.
    const torn = Buffer.alloc(8 + 5);
    torn.writeUInt32BE(200, 0);
    await appendFile(log, torn);

    const second = await open();
    expect((await stat(log)).size).toBe(intactSize);
    const snap = await second.snapshot();
    expect(snap.models.map((m) => m.name)).toEqual(['a', 'b']);
    expect(snap.position).toBe(p2);
    const p3 = await second.publish({ deploy: descriptor('c') });
    await second.close();

    const third = await open();
    expect((await allEvents(third, 3)).map((e) => e.position)).toEqual([p1, p2, p3]);
  });

  it('drops a record cut short at the end of the log (only that one)', async () => {
    const first = await open();
    const p1 = await first.publish({ deploy: descriptor('a') });
    await first.publish({ deploy: descriptor('b') });
    await first.close();
    const log = await lastSegment();
    await truncate(log, (await stat(log)).size - 3);

    const second = await open();
    const snap = await second.snapshot();
    expect(snap.models.map((m) => m.name)).toEqual(['a']);
    expect(snap.position).toBe(p1);
  });

  it('refuses to open a log corrupted before its last record (DATA_LOSS) instead of dropping later events', async () => {
    const first = await open();
    await first.publish({ deploy: descriptor('a') });
    await first.publish({ deploy: descriptor('b') });
    await first.close();
    const log = await lastSegment();
    const bytes = await readFile(log);
    bytes[8 + 12] = (bytes[8 + 12] as number) ^ 0xff; // inside the first record's payload (after the magic)
    await writeFile(log, bytes);

    await expectServingError(EmbeddedModelStore.open({ dir }), Code.DATA_LOSS, /corrupt/);
  });

  it('compacts the log into an atomically written snapshot: disk stays bounded over many redeploys', async () => {
    const store = await open({ compactMinBytes: 4 * 1024 });
    let last = '';
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 20; i++)
        last = await store.publish({ deploy: descriptor(`m${i}`, { description: `round ${round}` }) });
      await store.settled();
    }
    const snap = await store.snapshot();
    expect(snap.position).toBe(last);
    const names = await readdir(dir);
    expect(names).toContain('snapshot');
    expect(names.filter((n) => n.includes('.tmp-'))).toEqual([]);
    // 800 publishes were compacted away: at most the current segment and one not yet deleted remain.
    expect((await segments()).length).toBeLessThanOrEqual(2);
    let bytes = 0;
    for (const n of names) if (n !== 'blobs') bytes += (await stat(join(dir, n))).size;
    expect(bytes).toBeLessThan(3 * 4 * 1024 + 20 * 200);
    await store.close();

    const reopened = await open({ compactMinBytes: 4 * 1024 });
    expect(await reopened.snapshot()).toEqual(snap);
    expect((await reopened.snapshot()).models.every((m) => m.description === 'round 39')).toBe(true);
  });

  it('restores after a crash in the middle of a compaction (stale temp file, segments the snapshot covers)', async () => {
    const first = await open({ compactMinBytes: 1024 });
    for (let i = 0; i < 30; i++) await first.publish({ deploy: descriptor(`m${i}`) });
    await first.settled();
    const covered = await readFile(await lastSegment());
    const snap = await first.snapshot();
    await first.close();
    // As if the process died after writing the snapshot but before deleting the old segment, and while
    // writing the next snapshot.
    await writeFile(join(dir, 'events-000000000000.log'), covered);
    await writeFile(join(dir, 'snapshot.tmp-99999'), 'half a snapshot');

    const second = await open({ compactMinBytes: 1024 });
    expect(await second.snapshot()).toEqual(snap);
    await second.settled();
    expect((await readdir(dir)).some((n) => n.includes('.tmp-'))).toBe(false);
  });

  it('refuses a damaged snapshot file with a clear DATA_LOSS error', async () => {
    const first = await open({ compactMinBytes: 1024 });
    for (let i = 0; i < 30; i++) await first.publish({ deploy: descriptor(`m${i}`) });
    await first.settled();
    await first.close();
    const file = join(dir, 'snapshot');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 10));
    await expectServingError(EmbeddedModelStore.open({ dir }), Code.DATA_LOSS, /snapshot .* is corrupt/);
    await writeFile(file, 'not a store file at all');
    await expectServingError(EmbeddedModelStore.open({ dir }), Code.DATA_LOSS, /not a model store snapshot/);
  });

  it('trims retained events to maxLen and reports a gap for tails from trimmed positions', async () => {
    const store = await open({ maxLen: 10 });
    const positions: string[] = [];
    for (let i = 0; i < 30; i++) positions.push(await store.publish({ deploy: descriptor(`m${i}`) }));

    const gap = new TailReader(store, positions[0] as string);
    expect(await gap.waitForEnd()).toBeInstanceOf(StreamGapError);
    expect((gap.error as StreamGapError).code).toBe(Code.OUT_OF_RANGE);

    // From '' a tail starts at what is kept, and from a kept position it just continues.
    const fromStart = await allEvents(store, 10);
    expect(comparePositions(fromStart[0]?.position as string, positions[0] as string)).toBeGreaterThan(0);
    expect(fromStart.at(-1)?.position).toBe(positions[29]);
    const kept = new TailReader(store, positions[25] as string);
    expect((await kept.waitForCount(4)).map((e) => e.position)).toEqual(positions.slice(26));
    await kept.stop();

    const snap = await store.snapshot();
    expect(snap.models).toHaveLength(30);
    await store.close();
    const reopened = await open({ maxLen: 10 });
    expect(await reopened.snapshot()).toEqual(snap);
  });

  it('keeps positions increasing when the clock steps back', async () => {
    let now = 5_000;
    const store = await EmbeddedModelStore.open({ now: () => now });
    opened.push(store);
    const a = await store.publish({ deploy: descriptor('a') });
    now = 1_000;
    const b = await store.publish({ deploy: descriptor('b') });
    expect(a).toBe('5000-0');
    expect(b).toBe('5000-1');
  });
});

describe('EmbeddedModelStore after SIGKILL', () => {
  it('keeps every acknowledged publish when the process is killed mid-stream (compactions included)', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@modelserving/source',
        join(__dirname, 'test-support/publish-until-killed.ts'),
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acked: string[] = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() as string;
        acked.push(...lines);
        if (acked.length >= 800) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          child.on('exit', () => resolve());
        }
      });
    });
    // The latest acknowledged version of each model, and the last acknowledged position.
    const latest = new Map<string, string>();
    for (const line of acked) {
      const [, name, version] = line.split(' ');
      latest.set(name as string, version as string);
    }
    const lastAcked = (acked.at(-1) as string).split(' ')[0] as string;

    const store = await open();
    const snap = await store.snapshot();
    expect(comparePositions(snap.position, lastAcked)).toBeGreaterThanOrEqual(0);
    const byName = new Map(snap.models.map((m) => [m.name, m.description]));
    // Publishes after the last one we saw may have landed too (acknowledged, output not yet read), so a
    // model may be newer than what we saw, never older.
    for (const [name, version] of latest) {
      const restored = Number((byName.get(name) ?? 'v-1').slice(1));
      expect(restored).toBeGreaterThanOrEqual(Number(version.slice(1)));
    }
    expect((await readdir(dir)).includes('snapshot')).toBe(true);
  }, 60_000);
});
