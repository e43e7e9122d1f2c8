import type { inference } from '@modelserving/contracts';
import { Code } from '@modelserving/model-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, deploy, inferenceClient } from '../test-support/clients';
import { expectStatus } from '../test-support/assertions';
import { startTopology, type TestTopology } from '../test-support/topology';

let topo: TestTopology;
let client: inference.GRPCInferenceServiceClient;

beforeAll(async () => {
  topo = await startTopology({ executors: 2 });
  await deploy(topo.client, 'wine', 'm1');
  client = inferenceClient(topo.router.address);
});
afterAll(async () => {
  client?.close();
  await topo?.stop();
});

const emptyContents = (): inference.InferTensorContents => ({
  boolContents: [],
  intContents: [],
  int64Contents: [],
  uintContents: [],
  uint64Contents: [],
  fp32Contents: [],
  fp64Contents: [],
  bytesContents: [],
});

function input(
  name: string,
  datatype: string,
  shape: number[],
  contents: Partial<inference.InferTensorContents> | undefined,
  parameters = {},
) {
  return {
    name,
    datatype,
    shape,
    parameters,
    contents: contents ? { ...emptyContents(), ...contents } : undefined,
  };
}

function inferRequest(
  inputs: ReturnType<typeof input>[],
  raw: Buffer[] = [],
  modelName = 'wine',
): inference.ModelInferRequest {
  return {
    modelName,
    modelVersion: '',
    id: 'req-1',
    parameters: {},
    inputs,
    outputs: [],
    rawInputContents: raw,
  };
}

const infer = (req: inference.ModelInferRequest) =>
  call<inference.ModelInferResponse>(client, 'modelInfer', req);

describe('OIP', () => {
  it('reports liveness, readiness and server metadata', async () => {
    expect(await call(client, 'serverLive', {})).toEqual({ live: true });
    expect(await call(client, 'serverReady', {})).toEqual({ ready: true });
    expect(await call(client, 'serverMetadata', {})).toEqual({
      name: 'modelserving',
      version: '0.1.0',
      extensions: [],
    });
  });

  it('answers ModelReady and ModelMetadata for a data type and a model key', async () => {
    expect(await call(client, 'modelReady', { name: 'wine', version: '' })).toEqual({ ready: true });
    expect(await call(client, 'modelReady', { name: 'wine/m1', version: '' })).toEqual({ ready: true });
    await expectStatus(call(client, 'modelReady', { name: 'nope', version: '' }), Code.NOT_FOUND, 'nope');
    const md = await call<inference.ModelMetadataResponse>(client, 'modelMetadata', {
      name: 'wine/m1',
      version: '',
    });
    expect(md.platform).toBe('pmml');
    expect(md.versions).toEqual(['m1']);
    expect(md.inputs.map((i) => i.name)).toEqual(['x', 'y']);
    expect(md.outputs.map((o) => [o.name, o.datatype])).toEqual([
      ['sum', 'FP64'],
      ['double', 'FP64'],
      ['label', 'BYTES'],
    ]);
  });

  it('scores one input tensor per field with FP64 contents', async () => {
    const res = await infer(
      inferRequest([
        input('x', 'FP64', [3], { fp64Contents: [1, 2, 3] }),
        input('y', 'FP64', [3, 1], { fp64Contents: [10, 20, 30] }),
      ]),
    );
    expect(res.id).toBe('req-1');
    expect(res.modelName).toBe('wine');
    const byName = Object.fromEntries(res.outputs.map((o) => [o.name, o]));
    expect(Object.keys(byName)).toEqual(['sum', 'double', 'label']);
    expect(byName['sum']).toMatchObject({ datatype: 'FP64', shape: [3] });
    expect(byName['sum']!.contents!.fp64Contents).toEqual([11, 22, 33]);
    expect(byName['double']!.contents!.fp64Contents).toEqual([22, 44, 66]);
    expect(byName['label']!.datatype).toBe('BYTES');
    expect(byName['label']!.contents!.bytesContents.map((b) => Buffer.from(b).toString())).toEqual([
      'pos',
      'pos',
      'pos',
    ]);
    expect(res.rawOutputContents).toEqual([]);
  });

  it('accepts INT32/INT64/FP32 contents', async () => {
    const res = await infer(
      inferRequest([
        input('x', 'INT32', [2], { intContents: [1, -5] }),
        input('y', 'FP32', [2], { fp32Contents: [0.5, 1.5] }),
      ]),
    );
    expect(res.outputs[0]!.contents!.fp64Contents).toEqual([1.5, -3.5]);
    const res64 = await infer(inferRequest([input('x', 'INT64', [1], { int64Contents: [7] })]));
    expect(res64.outputs[0]!.contents!.fp64Contents).toEqual([7]);
  });

  it('decodes raw_input_contents (little-endian, BYTES length-prefixed) and answers with raw outputs', async () => {
    const x = Buffer.alloc(8);
    x.writeFloatLE(1.5, 0);
    x.writeFloatLE(2.5, 4);
    const y = Buffer.alloc(16);
    y.writeDoubleLE(10, 0);
    y.writeDoubleLE(-20, 8);
    const note = Buffer.concat([lp('hello'), lp('wörld')]);
    const res = await infer(
      inferRequest(
        [
          input('x', 'FP32', [2], undefined),
          input('y', 'FP64', [2], undefined),
          input('note', 'BYTES', [2], undefined),
        ],
        [x, y, note],
      ),
    );
    expect(res.outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([
      ['sum', 'FP64', [2]],
      ['double', 'FP64', [2]],
      ['label', 'BYTES', [2]],
    ]);
    expect(res.outputs.every((o) => o.contents === undefined)).toBe(true);
    expect(res.rawOutputContents).toHaveLength(3);
    const sum = Buffer.from(res.rawOutputContents[0]!);
    expect([sum.readDoubleLE(0), sum.readDoubleLE(8)]).toEqual([11.5, -17.5]);
    expect(readLp(Buffer.from(res.rawOutputContents[2]!))).toEqual(['pos', 'neg']);
  });

  it('maps a single 2-D [n, k] tensor onto the model inputs in signature order', async () => {
    const res = await infer(
      inferRequest([input('batch', 'FP64', [4, 2], { fp64Contents: [1, 2, 3, 4, 5, 6, 7, 8] })]),
    );
    expect(res.outputs[0]!.name).toBe('sum');
    expect(res.outputs[0]!.contents!.fp64Contents).toEqual([3, 7, 11, 15]);
  });

  it('honours a columns parameter on the 2-D tensor and requested outputs', async () => {
    const req = inferRequest([
      input('batch', 'FP64', [2, 2], { fp64Contents: [1, 100, 2, 200] }, { columns: { stringParam: 'y,x' } }),
    ]);
    req.outputs = [{ name: 'double', parameters: {} }];
    const res = await infer(req);
    expect(res.outputs.map((o) => o.name)).toEqual(['double']);
    expect(res.outputs[0]!.contents!.fp64Contents).toEqual([202, 404]);
  });

  it('rejects bad shapes, datatypes and lengths with INVALID_ARGUMENT naming the tensor', async () => {
    await expectStatus(
      infer(inferRequest([input('x', 'FP64', [2], { fp64Contents: [1, 2, 3] })])),
      Code.INVALID_ARGUMENT,
      /'x'.*needs 2 FP64 values, got 3/,
    );
    await expectStatus(
      infer(inferRequest([input('x', 'FP64', [2, 3], { fp64Contents: [1, 2, 3, 4, 5, 6] })])),
      Code.INVALID_ARGUMENT,
      /'x'.*3 columns.*2 inputs/,
    );
    await expectStatus(
      infer(inferRequest([input('x', 'FP64', [2, 2, 1], { fp64Contents: [1, 2, 3, 4] })])),
      Code.INVALID_ARGUMENT,
      /'x'/,
    );
    await expectStatus(
      infer(inferRequest([input('x', 'UINT8', [1], {})])),
      Code.INVALID_ARGUMENT,
      /'x'.*unsupported datatype/,
    );
    await expectStatus(
      infer(
        inferRequest([
          input('x', 'FP64', [2], { fp64Contents: [1, 2] }),
          input('y', 'FP64', [3], { fp64Contents: [1, 2, 3] }),
        ]),
      ),
      Code.INVALID_ARGUMENT,
      /'y' has 3 rows/,
    );
    await expectStatus(
      infer(inferRequest([input('x', 'FP32', [2], undefined)], [Buffer.alloc(5)])),
      Code.INVALID_ARGUMENT,
      /'x'.*5 bytes, expected 8/,
    );
    await expectStatus(
      infer(inferRequest([input('x', 'BYTES', [1], undefined)], [Buffer.from([9, 0, 0, 0, 65])])),
      Code.INVALID_ARGUMENT,
      /'x'.*runs past the end/,
    );
    await expectStatus(
      infer(inferRequest([input('x', 'FP64', [1], { fp64Contents: [1] })], [], 'nope')),
      Code.NOT_FOUND,
      'nope',
    );
  });

  it('turns a row that fails to score into the call status', async () => {
    await expectStatus(
      infer(
        inferRequest([
          input('x', 'FP64', [2], { fp64Contents: [1, 2] }),
          input('fail', 'BOOL', [2], { boolContents: [false, true] }),
        ]),
      ),
      Code.INVALID_ARGUMENT,
      'row 1: fail requested',
    );
  });
});

function lp(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(b.length, 0);
  return Buffer.concat([len, b]);
}

function readLp(b: Buffer): string[] {
  const out: string[] = [];
  for (let o = 0; o < b.length;) {
    const n = b.readUInt32LE(o);
    out.push(b.toString('utf8', o + 4, o + 4 + n));
    o += 4 + n;
  }
  return out;
}
