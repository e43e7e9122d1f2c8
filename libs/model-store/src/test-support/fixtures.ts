import { ModelDescriptor_ModelType, type ModelDescriptor } from '@modelserving/contracts';
import { Code, ServingError } from '@modelserving/model-core';
import { expect } from 'vitest';

/** A small valid PMML deploy descriptor; override any field. */
export function descriptor(name: string, overrides: Partial<ModelDescriptor> = {}): ModelDescriptor {
  return {
    name,
    description: `model ${name}`,
    dataType: 'wine',
    modelType: ModelDescriptor_ModelType.PMML,
    data: Buffer.from(`<PMML name="${name}"/>`),
    metadata: {},
    ...overrides,
  };
}

/** Asserts that `promise` rejects with a ServingError of `code` (and, optionally, a message matching `message`). */
export async function expectServingError(
  promise: Promise<unknown> | (() => Promise<unknown>),
  code: Code,
  message?: RegExp,
): Promise<ServingError> {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    error = err;
  }
  expect(error, 'expected a rejection').toBeInstanceOf(ServingError);
  const e = error as ServingError;
  expect({ code: e.code, message: e.message }).toMatchObject({
    code,
    ...(message ? { message: expect.stringMatching(message) } : {}),
  });
  return e;
}

export { Code };
