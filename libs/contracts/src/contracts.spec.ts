import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelDescriptor, ModelDescriptor_ModelType, inference } from './index';

const root = resolve(__dirname, '../../..');

describe('contracts', () => {
  it('generated code matches proto/ (buf lint + regenerate + diff)', () => {
    const out = execFileSync(process.execPath, [resolve(root, 'tools/scripts/proto-gen.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/contracts match proto/);
  }, 60_000);

  it('keeps FLIP-23 model type numbers', () => {
    expect(ModelDescriptor_ModelType.TENSORFLOW).toBe(0);
    expect(ModelDescriptor_ModelType.TENSORFLOW_SAVED).toBe(1);
    expect(ModelDescriptor_ModelType.PMML).toBe(2);
    expect(ModelDescriptor_ModelType.PFA).toBe(3);
    const bytes = ModelDescriptor.encode({
      name: 'm',
      description: '',
      dataType: 'wine',
      modelType: 2,
      location: '/x',
      metadata: {},
    }).finish();
    expect(ModelDescriptor.decode(bytes).location).toBe('/x');
  });

  it('exposes the Open Inference Protocol service with the spec field numbers', () => {
    expect(Object.keys(inference.GRPCInferenceServiceService)).toEqual(
      expect.arrayContaining([
        'serverLive',
        'serverReady',
        'modelReady',
        'serverMetadata',
        'modelMetadata',
        'modelInfer',
      ]),
    );
    expect(inference.GRPCInferenceServiceService.modelInfer.path).toBe(
      '/inference.GRPCInferenceService/ModelInfer',
    );
    // raw_input_contents is field 7 (tag 7<<3|2 = 0x3a).
    const bytes = inference.ModelInferRequest.encode({
      modelName: '',
      modelVersion: '',
      id: '',
      parameters: {},
      inputs: [],
      outputs: [],
      rawInputContents: [Buffer.from([1])],
    }).finish();
    expect(bytes[0]).toBe(0x3a);
  });
});
