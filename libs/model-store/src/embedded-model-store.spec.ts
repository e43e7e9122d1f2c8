import { appendFile, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedModelStore } from './embedded-model-store';
import { comparePositions } from './positions';
import { StreamGapError } from './stream-gap-error';
import { Code, descriptor, expectServingError } from './test-support/fixtures';
import { TailReader } from './test-support/tail-reader';

let dir: string;
let file: string;
const opened: EmbeddedModelStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-store-'));
  file = join(dir, 'store.log');
});

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(
  options: Parameters<typeof EmbeddedModelStore.open>[0] = {},
): Promise<EmbeddedModelStore> {
  const store = await EmbeddedModelStore.open({ file, fsync: false, ...options });
  opened.push(store);
  return store;
}

/** Record kinds of a log file (see event-log-file.ts: u32 length, u32 crc, kind byte, body). */
function recordKinds(bytes: Buffer): number[] {
  const kinds: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += 8 + bytes.readUInt32BE(offset))
    kinds.push(bytes[offset + 8] as number);
  return kinds;
}

async function allEvents(store: EmbeddedModelStore, n: number) {
  const reader = new TailReader(store, '');
  try {
    return await reader.waitForCount(n, 2_000);
  } finally {
    await reader.stop();
  }
}

describe('EmbeddedModelStore file persistence', () => {
  it('reopening restores the state, the events with their positions, and blobs', async () => {
    const big = randomBytes(300 * 1024); // above the default 256 KiB inline limit
    const first = await open();
    await first.publish({ deploy: descriptor('a') });
    await first.publish({ deploy: descriptor('big', { data: big }) });
    await first.publish({
      policy: { dataType: 'wine', decider: 'majority', timeoutMs: 80, alwaysSpeculative: true },
    });
    await first.publish({ suspended: true });
    await first.publish({ undeploy: { dataType: 'wine', name: 'a' } });
    const before = await first.snapshot();
    const eventsBefore = await allEvents(first, 5);
    await first.close();
    expect(await readdir(`${file}.blobs`)).toHaveLength(1);

    const second = await open();
    expect(await second.snapshot()).toEqual(before);
    expect(await allEvents(second, 5)).toEqual(eventsBefore);
    const location = before.models[0]?.location as string;
    expect(Buffer.from(await second.getBlob(location)).equals(big)).toBe(true);

    const next = await second.publish({ deploy: descriptor('c') });
    expect(comparePositions(next, before.position)).toBeGreaterThan(0);
  });

  it('drops a torn trailing record without losing the records before it', async () => {
    const first = await open();
    const p1 = await first.publish({ deploy: descriptor('a') });
    const p2 = await first.publish({ deploy: descriptor('b') });
    await first.close();
    const intactSize = (await stat(file)).size;

    // A crash in the middle of appending a third record: a header promising more bytes than follow.
    const torn = Buffer.alloc(8 + 5);
    torn.writeUInt32BE(200, 0);
    await appendFile(file, torn);

    const second = await open();
    expect((await stat(file)).size).toBe(intactSize);
    const snap = await second.snapshot();
    expect(snap.models.map((m) => m.name)).toEqual(['a', 'b']);
    expect(snap.position).toBe(p2);
    const p3 = await second.publish({ deploy: descriptor('c') });
    await second.close();

    const third = await open();
    expect((await allEvents(third, 3)).map((e) => e.position)).toEqual([p1, p2, p3]);
  });

  it('drops a record cut short at the end of the file (only that one)', async () => {
    const first = await open();
    const p1 = await first.publish({ deploy: descriptor('a') });
    await first.publish({ deploy: descriptor('b') });
    await first.close();
    await truncate(file, (await stat(file)).size - 3);

    const second = await open();
    const snap = await second.snapshot();
    expect(snap.models.map((m) => m.name)).toEqual(['a']);
    expect(snap.position).toBe(p1);
  });

  it('refuses to open a file corrupted before its last record (DATA_LOSS) instead of dropping later events', async () => {
    const first = await open();
    await first.publish({ deploy: descriptor('a') });
    await first.publish({ deploy: descriptor('b') });
    await first.close();
    const bytes = await readFile(file);
    bytes[12] = (bytes[12] as number) ^ 0xff; // inside the first record's payload
    await writeFile(file, bytes);

    await expectServingError(EmbeddedModelStore.open({ file }), Code.DATA_LOSS, /corrupt/);
  });

  it('trims to maxLen, reports a gap for tails from trimmed positions, and compacts the file', async () => {
    const store = await open({ maxLen: 10 });
    const positions: string[] = [];
    for (let i = 0; i < 30; i++) positions.push(await store.publish({ deploy: descriptor(`m${i}`) }));
    const kinds = recordKinds(await readFile(file));

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
    // Compaction folded the trimmed events into one leading checkpoint (kind 2); only kept events follow.
    expect(kinds[0]).toBe(2);
    expect(kinds.slice(1).every((k) => k === 1)).toBe(true);
    expect(kinds.length - 1).toBeLessThanOrEqual(11);
    expect(kinds.length - 1).toBeGreaterThanOrEqual(10);

    const reopened = await open({ maxLen: 10 });
    expect(await reopened.snapshot()).toEqual(snap);
    const stillGap = new TailReader(reopened, positions[0] as string);
    expect(await stillGap.waitForEnd()).toBeInstanceOf(StreamGapError);
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
