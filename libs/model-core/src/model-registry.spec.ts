import { describe, expect, it } from 'vitest';
import { Code, ServingError } from './errors';
import type { Model, ModelFactory } from './model';
import { MapModelFactoryResolver } from './model';
import { ModelRegistry } from './model-registry';
import { ModelType } from './model-type';
import type { ModelToServe } from './descriptor';

/** A "model" whose content is `factor` or `fail` or `wait:<ms>:factor`; scores x * factor. */
class FakeModel implements Model {
  readonly type = ModelType.PMML;
  readonly runtime = 'fake';
  cleaned = 0;
  constructor(readonly factor: number) {}
  score(input: { features: Record<string, unknown> }) {
    const x = input.features['x'];
    if (typeof x !== 'number') throw new ServingError(Code.INVALID_ARGUMENT, 'x must be a number');
    return { value: x * this.factor };
  }
  signature() {
    return { inputs: [{ name: 'x', datatype: 'FP64' as const, shape: [-1] }], outputs: [] };
  }
  toBytes() {
    return new TextEncoder().encode(String(this.factor));
  }
  cleanup() {
    this.cleaned++;
  }
}

function fakeFactory(built: FakeModel[]): ModelFactory {
  return {
    type: ModelType.PMML,
    async create(m) {
      const text = new TextDecoder().decode(m.content);
      if (text === 'fail') throw new ServingError(Code.INVALID_ARGUMENT, 'bad model bytes');
      let factor = text;
      if (text.startsWith('wait:')) {
        const [, ms, f] = text.split(':');
        await new Promise((r) => setTimeout(r, Number(ms)));
        factor = f!;
      }
      const model = new FakeModel(Number(factor));
      built.push(model);
      return model;
    },
    async restore(bytes, info) {
      return this.create({ ...info, content: bytes });
    },
  };
}

const desc = (content: string, name = 'm'): ModelToServe => ({
  key: `t/${name}`,
  name,
  description: 'test',
  dataType: 't',
  modelType: ModelType.PMML,
  content: new TextEncoder().encode(content),
  metadata: {},
});

function registry(built: FakeModel[] = []) {
  return new ModelRegistry({ resolver: new MapModelFactoryResolver([fakeFactory(built)]) });
}

describe('ModelRegistry', () => {
  it('serves a deployed model and records stats', async () => {
    const r = registry();
    const status = await r.deploy(desc('2'));
    expect(status.state).toBe('SERVING');
    expect(r.score('t/m', { dataType: 't', features: { x: 21 } }).value).toBe(42);
    const s = r.status('t/m')!;
    expect(s.stats!.usage).toBe(1);
    expect(s.stats!.max).toBeGreaterThanOrEqual(s.stats!.min);
    expect(s.signature!.inputs[0]!.name).toBe('x');
  });

  it('swaps to a new version and cleans up the old one', async () => {
    const built: FakeModel[] = [];
    const r = registry(built);
    await r.deploy(desc('2'));
    await r.deploy(desc('3'));
    expect(r.score('t/m', { dataType: 't', features: { x: 1 } }).value).toBe(3);
    await new Promise((res) => setImmediate(res));
    expect(built[0]!.cleaned).toBe(1);
    expect(built[1]!.cleaned).toBe(0);
    expect(r.status('t/m')!.generation).toBe(2);
  });

  it('keeps serving the current model while the next one builds', async () => {
    const r = registry();
    await r.deploy(desc('2'));
    const pending = r.deploy(desc('wait:30:5'));
    expect(r.status('t/m')!.loading).toBe(true);
    expect(r.score('t/m', { dataType: 't', features: { x: 1 } }).value).toBe(2);
    await pending;
    expect(r.score('t/m', { dataType: 't', features: { x: 1 } }).value).toBe(5);
    expect(r.status('t/m')!.loading).toBe(false);
  });

  it('leaves the current model serving when a build fails, and records the error', async () => {
    const r = registry();
    await r.deploy(desc('2'));
    const status = await r.deploy(desc('fail'));
    expect(status.state).toBe('SERVING');
    expect(status.error).toMatch(/bad model bytes/);
    expect(r.score('t/m', { dataType: 't', features: { x: 1 } }).value).toBe(2);
    // A later good build clears the error.
    expect((await r.deploy(desc('4'))).error).toBeUndefined();
  });

  it('reports FAILED when the first build fails and NOT_FOUND-like errors when scoring', async () => {
    const r = registry();
    const status = await r.deploy(desc('fail'));
    expect(status.state).toBe('FAILED');
    expect(() => r.score('t/m', { dataType: 't', features: { x: 1 } })).toThrow(/failed to load/);
    try {
      r.score('t/other', { dataType: 't', features: {} });
      expect.unreachable();
    } catch (e) {
      expect((e as ServingError).code).toBe(Code.NOT_FOUND);
    }
  });

  it('discards a slow older build that finishes after a newer one', async () => {
    const built: FakeModel[] = [];
    const r = registry(built);
    const slow = r.deploy(desc('wait:40:7'));
    await r.deploy(desc('wait:5:9'));
    await slow;
    expect(r.score('t/m', { dataType: 't', features: { x: 1 } }).value).toBe(9);
    expect(built.find((m) => m.factor === 7)!.cleaned).toBe(1);
  });

  it('defers cleanup of a swapped-out model until its pinned work is released', async () => {
    const built: FakeModel[] = [];
    const r = registry(built);
    await r.deploy(desc('2'));
    const pinned = r.acquire('t/m');
    await r.deploy(desc('3'));
    await new Promise((res) => setImmediate(res));
    expect(built[0]!.cleaned).toBe(0);
    r.release(pinned);
    await new Promise((res) => setImmediate(res));
    expect(built[0]!.cleaned).toBe(1);
  });

  it('undeploys, and drops a build that completes after the undeploy', async () => {
    const built: FakeModel[] = [];
    const r = registry(built);
    const pending = r.deploy(desc('wait:20:2'));
    expect(r.undeploy('t/m')).toBe(true);
    await pending;
    expect(r.has('t/m')).toBe(false);
    expect(built[0]!.cleaned).toBe(1);
    expect(r.undeploy('t/m')).toBe(false);
  });

  it('reports an unknown model type as a failed status, not an exception', async () => {
    const r = registry();
    const status = await r.deploy({ ...desc('1'), modelType: ModelType.PFA });
    expect(status.state).toBe('FAILED');
    expect(status.error).toMatch(/no model factory for model type PFA/);
  });
});
