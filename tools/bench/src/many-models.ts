import {
  MapModelFactoryResolver,
  ModelRegistry,
  ModelType,
  type ModelToServe,
} from '@modelserving/model-core';
import { PmmlModelFactory } from '@modelserving/pmml';
import { regressionPmml } from '@modelserving/testing';
import { fmt } from './stats';

/**
 * Many small models in one executor's registry (the IoT/telecom case of the seed): how fast N distinct
 * small PMML regressions build and install, and the retained heap per model. In-process, without the
 * network, so it measures the executor's own cost. Budget (ARCHITECTURE.md): 100k models, ≥ 5k models/s.
 */
export async function manyModelsBench(opts: { models: number }): Promise<void> {
  console.log(`\n## Many models in one registry (${opts.models} small PMML regressions, 3 inputs each)`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) console.log('  (run node with --expose-gc for the heap figure)');
  const docs = Array.from({ length: 64 }, (_, i) =>
    Buffer.from(regressionPmml({ intercept: i, coefficients: { a: 1 + i / 64, b: 2, c: -1 }, target: 'y' })),
  );
  const registry = new ModelRegistry({ resolver: new MapModelFactoryResolver([new PmmlModelFactory()]) });
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const ab0 = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  const batch = 256;
  for (let i = 0; i < opts.models; i += batch) {
    const pending: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(opts.models, i + batch); j++) {
      const m: ModelToServe = {
        key: `device-${j}/model`,
        name: 'model',
        description: '',
        dataType: `device-${j}`,
        modelType: ModelType.PMML,
        // A fresh copy, as each model arrives in its own message.
        content: Buffer.from(docs[j % docs.length]!),
        metadata: {},
      };
      pending.push(registry.deploy(m));
    }
    await Promise.all(pending);
  }
  const seconds = (performance.now() - t0) / 1000;
  gc?.();
  const heapPer = (process.memoryUsage().heapUsed - heap0) / opts.models;
  const abPer = (process.memoryUsage().arrayBuffers - ab0) / opts.models;
  const out = registry.score(`device-${opts.models - 1}/model`, {
    dataType: 'x',
    features: { a: 1, b: 1, c: 1 },
  });
  console.log(
    `  deployed ${registry.size} models in ${fmt(seconds)} s = ${fmt(opts.models / seconds, 0)} models/s (budget ≥ 5000)`,
  );
  if (gc)
    console.log(
      `  retained per model: heap ${fmt(heapPer / 1024, 1)} KiB + buffers ${fmt(abPer / 1024, 1)} KiB`,
    );
  console.log(`  check: last model scores ${String(out.value)}`);
  await registry.close();
}
