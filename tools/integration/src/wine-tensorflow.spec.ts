import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelType } from '@modelserving/model-core';
import { TensorflowModelFactory, TensorflowSavedModelFactory, writeTar } from '@modelserving/tensorflow';
import {
  hasShared,
  readWineCsv,
  sharedPath,
  startLocalTopology,
  WINE_TENSORFLOW_METADATA as WINE_INPUTS,
  type LocalTopology,
} from '@modelserving/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouterCalls, request } from './router-calls';

const haveData = hasShared('fixtures', 'wine', 'tensorflow', 'optimized_WineQuality.pb');

/**
 * The seed's two TensorFlow wine models served through router → executor, and swapped with PMML. Their
 * graphs do not name the 11 inputs, so every deploy carries metadata `inputs` naming the wine columns.
 */
describe.skipIf(!haveData)(
  `wine TensorFlow models through the running system${haveData ? '' : ' (skipped: ../shared is absent)'}`,
  () => {
    let topo: LocalTopology;
    let calls: RouterCalls;
    const rows = haveData ? readWineCsv().slice(0, 200) : [];
    const frozen = haveData
      ? readFileSync(sharedPath('fixtures', 'wine', 'tensorflow', 'optimized_WineQuality.pb'))
      : Buffer.alloc(0);
    const savedDir = sharedPath('fixtures', 'wine', 'tensorflow', 'saved', '1');

    beforeAll(async () => {
      topo = await startLocalTopology({ executors: 1, collector: false });
      calls = new RouterCalls(topo.routerAddress);
    }, 60_000);
    afterAll(async () => {
      calls?.close();
      await topo?.stop();
    });

    const info = { key: 'x/y', name: 'y', description: '', dataType: 'x', metadata: { ...WINE_INPUTS } };

    /** An inline deploy with the wine input names (RouterCalls.deploy sends no metadata). */
    const deployInline = (name: string, dataType: string, data: Buffer, modelType: ModelType) =>
      new Promise<{ statuses: { error: string }[] }>((resolve, reject) =>
        calls.native.deployModel(
          {
            model: {
              name,
              description: 'integration',
              dataType,
              modelType,
              data,
              metadata: modelType === ModelType.PMML ? {} : { ...WINE_INPUTS },
            },
            wait: true,
            waitTimeoutMs: 20_000,
          },
          (err, r) => (err ? reject(err) : resolve(r!)),
        ),
      );

    it('serves the frozen graph sent inline, with the same answers as the factory in-process', async () => {
      const res = await deployInline('frozen', 'wine-tf', frozen, ModelType.TENSORFLOW);
      for (const s of res.statuses) expect(s.error).toBe('');
      const local = await new TensorflowModelFactory().create({
        ...info,
        modelType: ModelType.TENSORFLOW,
        content: frozen,
      });
      const out = await calls.stream(rows.map((r, i) => request('wine-tf', r.features, `f${i}`)));
      rows.forEach((r, i) => {
        const got = out.get(`f${i}`)!.result!;
        expect(got.error).toBe('');
        expect(got.value?.number).toBeGreaterThanOrEqual(0);
        expect(got.value?.number).toBe(local.score({ dataType: 'x', features: r.features }).value);
      });
    });

    it('serves the SavedModel given by directory location', async () => {
      const res = await new Promise<{ statuses: { error: string }[] }>((resolve, reject) =>
        calls.native.deployModel(
          {
            model: {
              name: 'saved',
              description: '',
              dataType: 'wine-saved',
              modelType: ModelType.TENSORFLOW_SAVED,
              location: savedDir,
              metadata: { signature: 'predict', ...WINE_INPUTS },
            },
            wait: true,
            waitTimeoutMs: 30_000,
          },
          (err, r) => (err ? reject(err) : resolve(r!)),
        ),
      );
      for (const s of res.statuses) expect(s.error).toBe('');
      const local = await new TensorflowSavedModelFactory().create({
        ...info,
        modelType: ModelType.TENSORFLOW_SAVED,
        content: new Uint8Array(0),
        location: savedDir,
        metadata: { signature: 'predict', ...WINE_INPUTS },
      });
      for (const r of rows.slice(0, 50)) {
        const got = await calls.predict('wine-saved', r.features);
        expect(got.result?.value?.number).toBe(local.score({ dataType: 'x', features: r.features }).value);
      }
    });

    it('serves the frozen graph by file location and the SavedModel sent inline as a tar, with the same answers', async () => {
      const byLocation = await new Promise<{ statuses: { error: string }[] }>((resolve, reject) =>
        calls.native.deployModel(
          {
            model: {
              name: 'frozen-loc',
              description: '',
              dataType: 'wine-tf-loc',
              modelType: ModelType.TENSORFLOW,
              location: sharedPath('fixtures', 'wine', 'tensorflow', 'optimized_WineQuality.pb'),
              metadata: { ...WINE_INPUTS },
            },
            wait: true,
            waitTimeoutMs: 30_000,
          },
          (err, r) => (err ? reject(err) : resolve(r!)),
        ),
      );
      for (const s of byLocation.statuses) expect(s.error).toBe('');
      const files = new Map<string, Uint8Array>([
        ['saved_model.pb', readFileSync(join(savedDir, 'saved_model.pb'))],
        ['variables/variables.index', readFileSync(join(savedDir, 'variables', 'variables.index'))],
        [
          'variables/variables.data-00000-of-00001',
          readFileSync(join(savedDir, 'variables', 'variables.data-00000-of-00001')),
        ],
      ]);
      const tar = Buffer.from(writeTar(files));
      const inline = await new Promise<{ statuses: { error: string }[] }>((resolve, reject) =>
        calls.native.deployModel(
          {
            model: {
              name: 'saved-tar',
              description: '',
              dataType: 'wine-saved-tar',
              modelType: ModelType.TENSORFLOW_SAVED,
              data: tar,
              metadata: { signature: 'predict', ...WINE_INPUTS },
            },
            wait: true,
            waitTimeoutMs: 30_000,
          },
          (err, r) => (err ? reject(err) : resolve(r!)),
        ),
      );
      for (const s of inline.statuses) expect(s.error).toBe('');
      const frozenLocal = await new TensorflowModelFactory().create({
        ...info,
        modelType: ModelType.TENSORFLOW,
        content: frozen,
      });
      const savedLocal = await new TensorflowSavedModelFactory().create({
        ...info,
        modelType: ModelType.TENSORFLOW_SAVED,
        content: new Uint8Array(0),
        location: savedDir,
        metadata: { signature: 'predict', ...WINE_INPUTS },
      });
      for (const r of rows.slice(0, 50)) {
        expect((await calls.predict('wine-tf-loc', r.features)).result?.value?.number).toBe(
          frozenLocal.score({ dataType: 'x', features: r.features }).value,
        );
        expect((await calls.predict('wine-saved-tar', r.features)).result?.value?.number).toBe(
          savedLocal.score({ dataType: 'x', features: r.features }).value,
        );
      }
    });

    it('swaps between the PMML tree and the TF graph for one data type without a failed request', async () => {
      const pmml = readFileSync(
        sharedPath('fixtures', 'wine', 'pmml', 'winequalityDecisionTreeClassification.pmml'),
      );
      await calls.deploy('swapping', 'wine-swap', pmml, ModelType.PMML);
      const call = calls.native.predictStream();
      const answers = new Map<string, string>();
      const ended = new Promise<void>((resolve, reject) => {
        call.on('data', (r) => answers.set(r.guid, r.result?.error ?? 'no result'));
        call.on('end', resolve);
        call.on('error', reject);
      });
      let sent = 0;
      let sending = true;
      const sender = (async () => {
        while (sending) {
          for (let k = 0; k < 10; k++, sent++)
            call.write(request('wine-swap', rows[sent % rows.length]!.features, String(sent)));
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      for (let i = 0; i < 10; i++) {
        const res =
          i % 2 === 0
            ? await deployInline('swapping', 'wine-swap', frozen, ModelType.TENSORFLOW)
            : await deployInline('swapping', 'wine-swap', pmml, ModelType.PMML);
        for (const s of res.statuses) expect(s.error).toBe('');
      }
      sending = false;
      await sender;
      call.end();
      await ended;
      expect(answers.size).toBe(sent);
      const failed = [...answers.values()].filter((e) => e !== '');
      expect(failed).toEqual([]);
    }, 60_000);
  },
);
