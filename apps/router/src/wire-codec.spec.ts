import {
  Record as RecordMsg,
  ScoreBatch,
  ScoreResultBatch,
  ServingRequest,
  ServingRequestBatch,
  ServingResponse,
  ServingResponseBatch,
  type ServingResult,
} from '@modelserving/contracts';
import { describe, expect, it } from 'vitest';
import { RouteRequest, SpeculativeItem } from './route-request';
import {
  decodeScoreResultBatch,
  decodeServingRequest,
  decodeServingRequestBatch,
  encodeScoreBatch,
  encodeServingResponse,
  encodeServingResponseBatch,
  type RoutedResponse,
} from './wire-codec';

const rec: RecordMsg = {
  features: { x: { number: 1.5 }, name: { string: 'zoë' }, ok: { boolean: true }, gone: { missing: true } },
  tensors: [{ name: 't', datatype: 'FP64', shape: [2], numbers: [1, 2], strings: [], booleans: [] }],
};

const result = (over: Partial<ServingResult> = {}): ServingResult => ({
  processed: true,
  model: 'wine/m1',
  source: 'ex-1',
  value: { number: 5 },
  outputs: { p: { number: 0.25 }, label: { string: 'good' } },
  tensors: [],
  error: '',
  errorCode: 0,
  duration: 0.5,
  ...over,
});

const buf = (u: Uint8Array) => Buffer.from(u);

describe('wire codec agrees with the generated code', () => {
  it('decodes ServingRequest and ServingRequestBatch into route requests without touching the record', () => {
    const req: ServingRequest = { guid: 'g-1', dataType: 'wine', data: rec, modelName: 'm1', timeoutMs: 250 };
    const r = decodeServingRequest(buf(ServingRequest.encode(req).finish()));
    expect([r.guid, r.dataType, r.modelName, r.timeoutMs]).toEqual(['g-1', 'wine', 'm1', 250]);
    expect(RecordMsg.decode(r.recordBuf.subarray(r.recordStart, r.recordEnd))).toEqual(rec);

    const neg = decodeServingRequest(buf(ServingRequest.encode({ ...req, timeoutMs: -5 }).finish()));
    expect(neg.timeoutMs).toBe(-5);
    const big = decodeServingRequest(buf(ServingRequest.encode({ ...req, timeoutMs: 2 ** 40 + 3 }).finish()));
    expect(big.timeoutMs).toBe(2 ** 40 + 3);

    const batch = decodeServingRequestBatch(
      buf(
        ServingRequestBatch.encode({
          requests: [req, { guid: '', dataType: 'iris', data: undefined, modelName: '', timeoutMs: 0 }],
        }).finish(),
      ),
    );
    expect(batch.requests.map((x) => [x.guid, x.dataType, x.recordEnd - x.recordStart])).toEqual([
      ['g-1', 'wine', RecordMsg.encode(rec).finish().length],
      ['', 'iris', 0],
    ]);
  });

  it('encodes direct and speculative items as a ScoreBatch', () => {
    const direct = new RouteRequest();
    direct.guid = 'g-direct';
    direct.setRecord(buf(RecordMsg.encode(rec).finish()));
    direct.modelKey = 'wine/m1';
    direct.itemId = 2 ** 33 + 7;
    direct.trace = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'k=v',
    };
    const specReq = new RouteRequest();
    specReq.guid = 'g-spéc';
    specReq.setRecord(buf(RecordMsg.encode(rec).finish()));
    const item = new SpeculativeItem(specReq, 'wine/m2');
    item.id = 3;
    const decoded = ScoreBatch.decode(encodeScoreBatch([direct, item]));
    expect(decoded.items).toEqual([
      {
        id: 2 ** 33 + 7,
        modelKey: 'wine/m1',
        record: rec,
        trace: direct.trace,
        guid: '',
        speculative: false,
      },
      { id: 3, modelKey: 'wine/m2', record: rec, trace: undefined, guid: 'g-spéc', speculative: true },
    ]);
  });

  it('scans executor results for error, code and confidence and decodes them on demand', () => {
    const bytes = ScoreResultBatch.encode({
      items: [
        { id: 1, result: result({ confidence: 0.75 }) },
        { id: 2, result: result({ error: 'bad record', errorCode: 3, value: undefined }) },
        { id: 3, result: undefined },
      ],
    }).finish();
    const items = decodeScoreResultBatch(buf(bytes));
    expect(items.map((i) => [i.id, i.present, i.error, i.errorCode, i.confidence])).toEqual([
      [1, true, '', 0, 0.75],
      [2, true, 'bad record', 3, undefined],
      [3, false, '', 0, undefined],
    ]);
    expect(items[0]!.decode()).toEqual(result({ confidence: 0.75 }));
  });

  it('encodes responses with raw and router-made results', () => {
    const raw = decodeScoreResultBatch(
      buf(ScoreResultBatch.encode({ items: [{ id: 1, result: result({ confidence: 0.5 }) }] }).finish()),
    )[0]!;
    const fromExecutor: RoutedResponse = {
      guid: 'g1',
      result: undefined,
      raw,
      confidence: 0.5,
      qualifiers: [],
    };
    const made: RoutedResponse = {
      guid: 'g2',
      result: result({ error: 'nope', errorCode: 5, processed: false }),
      raw: undefined,
      confidence: undefined,
      qualifiers: [{ key: 'decider', value: 'first' }],
    };
    expect(ServingResponse.decode(encodeServingResponse(fromExecutor))).toEqual({
      guid: 'g1',
      result: result({ confidence: 0.5 }),
      confidence: 0.5,
      qualifiers: [],
    });
    expect(
      ServingResponseBatch.decode(encodeServingResponseBatch({ responses: [fromExecutor, made] })).responses,
    ).toEqual([
      { guid: 'g1', result: result({ confidence: 0.5 }), confidence: 0.5, qualifiers: [] },
      { guid: 'g2', result: made.result, qualifiers: [{ key: 'decider', value: 'first' }] },
    ]);
  });

  it('rejects truncated input', () => {
    const bytes = ServingRequest.encode({
      guid: 'g-1',
      dataType: 'wine',
      data: rec,
      modelName: '',
      timeoutMs: 0,
    }).finish();
    expect(() => decodeServingRequest(buf(bytes).subarray(0, bytes.length - 3))).toThrow(/truncated/);
  });
});
