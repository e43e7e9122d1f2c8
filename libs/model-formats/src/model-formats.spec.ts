import { describe, expect, it } from 'vitest';
import { ModelType } from '@modelserving/model-core';
import { PfaModelFactory } from '@modelserving/pfa';
import { PmmlModelFactory } from '@modelserving/pmml';
import { TensorflowModelFactory, TensorflowSavedModelFactory } from '@modelserving/tensorflow';
import {
  defaultModelFactories,
  defaultModelFormats,
  findModelFormat,
  formatForExtension,
} from './model-formats';

describe('model formats', () => {
  it('has one factory per model type, each registered under the type it builds', () => {
    const factories = defaultModelFactories();
    expect(factories.map((f) => f.type).sort()).toEqual(
      [ModelType.TENSORFLOW, ModelType.TENSORFLOW_SAVED, ModelType.PMML, ModelType.PFA].sort(),
    );
    expect(factories.map((f) => f.constructor)).toEqual([
      PmmlModelFactory,
      PfaModelFactory,
      TensorflowModelFactory,
      TensorflowSavedModelFactory,
    ]);
    for (const f of defaultModelFormats()) expect(f.factory.type).toBe(f.modelType);
    // Fresh instances each call: an executor and a CLI run never share factory state.
    expect(defaultModelFactories()[0]).not.toBe(factories[0]);
  });

  it('finds a format by name or model type name, and by file extension', () => {
    const formats = defaultModelFormats();
    expect(findModelFormat(formats, 'PMML')?.name).toBe('pmml');
    expect(findModelFormat(formats, ' tensorflow_saved ')?.modelType).toBe(ModelType.TENSORFLOW_SAVED);
    expect(findModelFormat(formats, 'SavedModel')?.name).toBe('tensorflow_saved');
    expect(findModelFormat(formats, 'onnx')).toBeUndefined();
    expect(formatForExtension(formats, '.PB')?.name).toBe('tensorflow');
    expect(formatForExtension(formats, '.yaml')?.name).toBe('pfa');
    expect(formatForExtension(formats, '.csv')).toBeUndefined();
  });
});
