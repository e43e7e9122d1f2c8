import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Code, ServingError } from '@modelserving/model-core';
import { hasShared, sharedPath } from '@modelserving/testing';
import { denseNet, graphBytes } from './__fixtures__/graphs';
import { writeTar } from './archive/tar';
import { TensorflowModelFactory } from './frozen-graph-factory';
import { TensorflowSavedModelFactory } from './saved-model-factory';
import { ProtoReader } from './proto/proto-reader';
import { ProtoWriter } from './proto/proto-writer';
import { readSSTable } from './saved-model/sstable';

async function buildError(p: Promise<unknown>): Promise<ServingError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServingError);
  expect((err as ServingError).code).toBe(Code.INVALID_ARGUMENT);
  return err as ServingError;
}

describe('protobuf wire format', () => {
  it('round-trips varints, negative int64s, floats and nested messages', () => {
    const w = new ProtoWriter()
      .varint(1, 300)
      .int64(2, -1)
      .int64(3, -123456789)
      .float(4, 1.5)
      .string(5, 'héllo');
    w.message(6, (m) => m.varint(1, 2 ** 40));
    const r = new ProtoReader(w.finish(), 'test');
    const seen: unknown[] = [];
    while (!r.done) {
      const [f] = r.tag();
      if (f === 1) seen.push(r.varint());
      else if (f === 2 || f === 3) seen.push(r.int64());
      else if (f === 4) seen.push(r.float());
      else if (f === 5) seen.push(r.string());
      else {
        const s = r.sub('m');
        s.tag();
        seen.push(s.varint());
      }
    }
    expect(seen).toEqual([300, -1, -123456789, 1.5, 'héllo', 2 ** 40]);
  });
});

describe('bad models are INVALID_ARGUMENT naming what is wrong', () => {
  const frozen = new TensorflowModelFactory();
  const saved = new TensorflowSavedModelFactory();

  it('empty content', async () => {
    expect((await buildError(frozen.build(new Uint8Array(0)))).message).toMatch(/empty/);
  });

  it('truncated GraphDef', async () => {
    const bytes = graphBytes(denseNet());
    const err = await buildError(frozen.build(bytes.subarray(0, bytes.length - 7), { inputs: 'a,b' }));
    expect(err.message).toMatch(/GraphDef.*(truncated|needs)/);
  });

  it('bytes that are not a GraphDef', async () => {
    const err = await buildError(frozen.build(new TextEncoder().encode('<PMML version="4.4"></PMML>')));
    expect(err.message).toMatch(/GraphDef/);
  });

  it('an unknown output name', async () => {
    const err = await buildError(
      frozen.build(graphBytes(denseNet()), { inputs: 'a,b', 'graph.outputs': 'nope' }),
    );
    expect(err.message).toContain("no node 'nope'");
  });

  it('a corrupt variables.index', () => {
    expect(() => readSSTable(new Uint8Array(100))).toThrow(/bad magic number/);
  });

  const dir = sharedPath('fixtures', 'wine', 'tensorflow', 'saved', '1');
  const savedFiles = () => {
    const files = new Map<string, Uint8Array>();
    for (const e of readdirSync(dir, { recursive: true }) as string[]) {
      if (statSync(join(dir, e)).isFile()) files.set(e.split('\\').join('/'), readFileSync(join(dir, e)));
    }
    return files;
  };

  it.skipIf(!hasShared('fixtures', 'wine', 'tensorflow', 'saved', '1'))(
    'SavedModel: wrong signature name lists the available ones',
    async () => {
      const err = await buildError(saved.build(writeTar(savedFiles()), { signature: 'serving_default' }));
      expect(err.message).toBe("SavedModel: no signature 'serving_default' (available: 'predict')");
    },
  );

  it.skipIf(!hasShared('fixtures', 'wine', 'tensorflow', 'saved', '1'))(
    'SavedModel: missing variables shard / index, truncated shard',
    async () => {
      const noShard = savedFiles();
      noShard.delete('variables/variables.data-00000-of-00001');
      expect((await buildError(saved.build(writeTar(noShard)))).message).toContain(
        'missing variables shard variables/variables.data-00000-of-00001',
      );
      const noIndex = savedFiles();
      noIndex.delete('variables/variables.index');
      expect((await buildError(saved.build(writeTar(noIndex)))).message).toContain(
        'variables/variables.index is missing',
      );
      const short = savedFiles();
      short.set(
        'variables/variables.data-00000-of-00001',
        short.get('variables/variables.data-00000-of-00001')!.subarray(0, 100),
      );
      expect((await buildError(saved.build(writeTar(short)))).message).toMatch(/truncated/);
    },
  );

  it.skipIf(!hasShared('fixtures', 'wine', 'tensorflow', 'saved', '1'))(
    'SavedModel: truncated saved_model.pb, wrong tags, no saved_model.pb',
    async () => {
      const trunc = savedFiles();
      const pb = trunc.get('saved_model.pb')!;
      trunc.set('saved_model.pb', pb.subarray(0, pb.length >> 1));
      expect((await buildError(saved.build(writeTar(trunc)))).message).toMatch(
        /saved_model\.pb.*(truncated|needs)/,
      );
      expect((await buildError(saved.build(writeTar(savedFiles()), { tags: 'gpu' }))).message).toContain(
        'no meta graph with tags [gpu]',
      );
      const none = savedFiles();
      none.delete('saved_model.pb');
      expect((await buildError(saved.build(writeTar(none)))).message).toContain('no saved_model.pb');
    },
  );
});
