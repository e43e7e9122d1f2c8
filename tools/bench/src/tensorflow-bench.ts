import { readFileSync } from 'node:fs';
import type { DataToServe, Model } from '@modelserving/model-core';
import { TensorflowModelFactory, TensorflowSavedModelFactory } from '@modelserving/tensorflow';
import { hasShared, readWineCsv, sharedPath, WINE_TENSORFLOW_METADATA } from '@modelserving/testing';
import { fmt } from './stats';

/**
 * 4. TensorFlow wine MLP (11→12→8→9): per-record µs through `Model.scoreBatch` (feature extraction,
 * engine, output tensors and argmax included) at batch 1 and 64, for the compiled fast path and tfjs on
 * the cpu and wasm backends, side by side in one run. tfjs backends are process-global, so each runtime is
 * built, measured and disposed in turn. Target: fast path ≥ 10× tfjs cpu at batch 1.
 */
export async function tensorflowBench(opts: { seconds: number; batches?: number[] }): Promise<void> {
  const batches = opts.batches ?? [1, 64];
  const pbPath = ['fixtures', 'wine', 'tensorflow', 'optimized_WineQuality.pb'];
  const savedDir = ['fixtures', 'wine', 'tensorflow', 'saved', '1'];
  const csv = ['fixtures', 'wine', 'winequality_red.csv'];
  console.log(`\n## TensorFlow wine MLP: µs per record (${opts.seconds} s per cell)`);
  if (!hasShared(...pbPath) || !hasShared(...csv)) {
    console.log(
      `  skipped: wine TensorFlow fixtures not found under ${sharedPath()} (set MODELSERVING_SHARED)`,
    );
    return;
  }
  const records: DataToServe[] = readWineCsv(sharedPath(...csv)).map((r) => ({
    dataType: 'wine',
    features: r.features,
  }));
  const pb = readFileSync(sharedPath(...pbPath));
  const frozen = new TensorflowModelFactory();
  const saved = new TensorflowSavedModelFactory();

  const rows: { label: string; runtime: string; us: number[] }[] = [];
  for (const runtime of ['fast-path', 'tfjs-cpu', 'tfjs-wasm'] as const) {
    for (const [label, build] of [
      ['frozen .pb', () => frozen.build(pb, { runtime, ...WINE_TENSORFLOW_METADATA })],
      [
        'SavedModel',
        () =>
          saved.build(new Uint8Array(0), { runtime, ...WINE_TENSORFLOW_METADATA }, sharedPath(...savedDir)),
      ],
    ] as const) {
      let model: Model;
      try {
        model = await build();
      } catch (err) {
        console.log(
          `  ${label} on ${runtime}: unavailable (${err instanceof Error ? err.message : String(err)})`,
        );
        continue;
      }
      try {
        rows.push({
          label,
          runtime: model.runtime,
          us: batches.map((b) => perRecordUs(model, records, b, opts.seconds)),
        });
      } finally {
        await model.cleanup();
      }
    }
  }

  const header = ['model', 'runtime', ...batches.map((b) => `batch ${b} µs/rec`)];
  console.log(`  ${header.map((h) => h.padEnd(18)).join('')}`);
  for (const r of rows)
    console.log(`  ${[r.label, r.runtime, ...r.us.map((u) => fmt(u, 2))].map((c) => c.padEnd(18)).join('')}`);
  const fast = rows.find((r) => r.runtime === 'fast-path' && r.label === 'frozen .pb');
  const cpu = rows.find((r) => r.runtime === 'tfjs-cpu' && r.label === 'frozen .pb');
  if (fast && cpu) {
    const ratios = batches.map((b, i) => `batch ${b}: ${fmt(cpu.us[i]! / fast.us[i]!, 1)}×`).join(', ');
    console.log(`  fast path vs tfjs cpu (frozen): ${ratios}; target ≥ 10× at batch 1`);
  }
}

/** Scores consecutive slices of `batch` records until `seconds` pass (after a warm-up); µs per record. */
function perRecordUs(model: Model, records: readonly DataToServe[], batch: number, seconds: number): number {
  const slices: DataToServe[][] = [];
  for (let i = 0; i + batch <= records.length; i += batch) slices.push(records.slice(i, i + batch));
  const score = (s: readonly DataToServe[]) => {
    if (model.scoreBatch) {
      const out = model.scoreBatch(s);
      if (out instanceof Promise) throw new Error('the bench expects a synchronous scoreBatch');
      return out.length;
    }
    for (const r of s) model.score(r);
    return s.length;
  };
  const warmUntil = performance.now() + Math.min(500, seconds * 200);
  let k = 0;
  while (performance.now() < warmUntil) score(slices[k++ % slices.length]!);
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let now = t0;
  while (now < end) {
    for (let j = 0; j < 50; j++) n += score(slices[k++ % slices.length]!);
    now = performance.now();
  }
  return ((now - t0) * 1000) / n;
}
