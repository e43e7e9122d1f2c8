import { describe, expect, it } from 'vitest';
import type { DataToServe } from './data';
import type { ModelDescriptor } from './descriptor';
import { MapModelFactoryResolver, type ModelFactory } from './model';
import { withModelServing } from './model-serving-stream';
import { ModelType } from './model-type';

const factory: ModelFactory = {
  type: ModelType.PMML,
  async create(m) {
    const factor = Number(new TextDecoder().decode(m.content));
    if (!Number.isFinite(factor)) throw new Error('not a number');
    return {
      type: ModelType.PMML,
      runtime: 'fake',
      score: (d: DataToServe) => ({ value: (d.features['x'] as number) * factor }),
      signature: () => ({ inputs: [], outputs: [] }),
      toBytes: () => m.content,
      cleanup: () => {},
    };
  },
  async restore(bytes, info) {
    return this.create({ ...info, content: bytes });
  },
};

const model = (name: string, factor: string): ModelDescriptor => ({
  name,
  description: '',
  dataType: 'wine',
  modelType: ModelType.PMML,
  data: new TextEncoder().encode(factor),
});

/** Yields items with a pause between them, so models and data interleave in time. */
async function* timed<T>(items: Array<T | number>): AsyncGenerator<T> {
  for (const it of items) {
    if (typeof it === 'number') await new Promise((r) => setTimeout(r, it));
    else yield it;
  }
}

describe('withModelServing', () => {
  it('scores each record with the latest model of its data type and swaps models in', async () => {
    const data = timed<DataToServe>([
      { dataType: 'wine', features: { x: 1 } },
      30,
      { dataType: 'wine', features: { x: 2 } },
      30,
      { dataType: 'wine', features: { x: 3 } },
      { dataType: 'beer', features: { x: 3 } },
    ]);
    const models = timed<ModelDescriptor>([10, model('a', '10'), 30, model('b', '100')]);
    const errors: string[] = [];
    const results = [];
    for await (const r of withModelServing(data, models, {
      resolver: new MapModelFactoryResolver([factory]),
      onModelError: (k, e) => errors.push(`${k}: ${e}`),
    }).predict()) {
      results.push(r);
    }
    expect(results.map((r) => (r.processed ? r.value : 'unprocessed'))).toEqual([
      'unprocessed',
      20,
      300,
      'unprocessed',
    ]);
    expect(results[2]!.model).toBe('wine/b');
    expect(errors).toEqual([]);
  });

  it('applies a user function and reports bad models without stopping', async () => {
    const data = timed<DataToServe>([20, { dataType: 'wine', features: { x: 5 } }]);
    const models = timed<ModelDescriptor>([model('a', '2'), model('bad', 'zzz')]);
    const errors: string[] = [];
    const out = [];
    for await (const r of withModelServing(data, models, {
      resolver: new MapModelFactoryResolver([factory]),
      onModelError: (k, e) => errors.push(k + ' ' + e),
    }).predict((d, m) => ({ value: `udf:${String(m.score(d).value)}` }))) {
      out.push(r);
    }
    expect(out[0]!.value).toBe('udf:10');
    expect(errors.some((e) => e.startsWith('wine/bad') && /not a number/.test(e))).toBe(true);
  });
});
