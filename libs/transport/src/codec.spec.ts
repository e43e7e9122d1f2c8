import { describe, expect, it } from 'vitest';
import { ModelStatus_State, Record as RecordMsg, ServingResult as ResultMsg } from '@modelserving/contracts';
import { Code, ModelType, ServingError } from '@modelserving/model-core';
import {
  dataToRecord,
  descriptorFromProto,
  descriptorToProto,
  modelStatusToProto,
  recordToData,
  resultFromProto,
  resultToProto,
  tensorFromProto,
} from './codec';

describe('codec', () => {
  it('round-trips a record with every value kind through protobuf bytes', () => {
    const data = {
      dataType: 'wine',
      features: { a: 1.5, b: 'red', c: true, d: null },
      tensors: [{ name: 't', datatype: 'FP64' as const, shape: [1, 2], data: new Float64Array([1, 2]) }],
    };
    const bytes = RecordMsg.encode(dataToRecord(data)).finish();
    const back = recordToData('wine', RecordMsg.decode(bytes));
    expect(back.features).toEqual({ a: 1.5, b: 'red', c: true, d: null });
    expect(Array.from(back.tensors![0]!.data as Float64Array)).toEqual([1, 2]);
  });

  it('rejects a tensor whose shape does not match its values', () => {
    expect(() =>
      tensorFromProto({
        name: 'x',
        datatype: 'FP32',
        shape: [2, 2],
        numbers: [1, 2, 3],
        strings: [],
        booleans: [],
      }),
    ).toThrow(ServingError);
    // toThrow with a matcher fails when nothing is thrown (a try/catch around the call did not).
    expect(() =>
      tensorFromProto({
        name: 'x',
        datatype: 'COMPLEX',
        shape: [1],
        numbers: [1],
        strings: [],
        booleans: [],
      }),
    ).toThrow(
      expect.objectContaining({
        code: Code.INVALID_ARGUMENT,
        message: expect.stringMatching(/unsupported datatype 'COMPLEX'/),
      }),
    );
  });

  it('round-trips results, keeping errors and confidence', () => {
    const r = {
      processed: true,
      model: 'wine/dt',
      source: 'e1',
      value: '6',
      outputs: { 'probability(6)': 0.7 },
      confidence: 0.7,
      duration: 0.01,
    };
    expect(resultFromProto(ResultMsg.decode(ResultMsg.encode(resultToProto(r)).finish()))).toEqual(r);
    const e = { processed: true, model: 'wine/dt', source: 'e1', error: 'bad', errorCode: 3, duration: 0 };
    expect(resultFromProto(ResultMsg.decode(ResultMsg.encode(resultToProto(e)).finish()))).toEqual(e);
  });

  it('converts descriptors both ways', () => {
    const d = {
      name: 'm',
      description: 'x',
      dataType: 'wine',
      modelType: ModelType.PMML,
      data: new Uint8Array([1, 2]),
      metadata: { k: 'v' },
    };
    const back = descriptorFromProto(descriptorToProto(d));
    expect(back.name).toBe('m');
    expect(Array.from(back.data!)).toEqual([1, 2]);
    expect(back.metadata).toEqual({ k: 'v' });
  });

  it('maps a model status', () => {
    const p = modelStatusToProto(
      {
        key: 'wine/m',
        name: 'm',
        dataType: 'wine',
        description: '',
        modelType: ModelType.PMML,
        state: 'FAILED',
        loading: false,
        error: 'boom',
        generation: 0,
      },
      'e1',
      '1-0',
    );
    expect(p.state).toBe(ModelStatus_State.FAILED);
    expect(p.error).toBe('boom');
    expect(p.executor).toBe('e1');
  });
});
