import type { DataTypePolicy, ModelDescriptor } from '@modelserving/contracts';
import {
  Code,
  ServingError,
  invalidArgument,
  modelKey,
  modelTypeName,
  validateName,
} from '@modelserving/model-core';

const MODEL_TYPES = new Set([0, 1, 2, 3]);
export const DECIDERS = ['first', 'majority'] as const;

/** Checks a descriptor before it goes on the model stream; returns its model key. */
export function validateDeploy(model: ModelDescriptor | undefined, maxModelBytes: number): string {
  if (model === undefined) throw invalidArgument('model is required');
  validateName('model name', model.name);
  validateName('data type', model.dataType);
  const key = modelKey(model.dataType, model.name);
  if (!MODEL_TYPES.has(model.modelType)) {
    throw invalidArgument(
      `model ${key} has unknown model type ${model.modelType} (expected ${[...MODEL_TYPES].map(modelTypeName).join(', ')})`,
    );
  }
  const hasData = model.data !== undefined && model.data.length > 0;
  const hasLocation = model.location !== undefined && model.location.length > 0;
  if (!hasData && !hasLocation) throw invalidArgument(`model ${key} has no content: set data or location`);
  if (hasData && model.data!.length > maxModelBytes) {
    throw new ServingError(
      Code.RESOURCE_EXHAUSTED,
      `model ${key} is ${model.data!.length} bytes, more than the limit of ${maxModelBytes} bytes`,
    );
  }
  return key;
}

/** Checks a speculative policy; an empty decider means `first`. */
export function validatePolicy(policy: DataTypePolicy | undefined): DataTypePolicy {
  if (policy === undefined) throw invalidArgument('policy is required');
  validateName('data type', policy.dataType);
  const decider = policy.decider === '' ? 'first' : policy.decider;
  if (!(DECIDERS as readonly string[]).includes(decider)) {
    throw invalidArgument(
      `policy of data type ${policy.dataType}: unknown decider '${policy.decider}' (expected ${DECIDERS.join(' or ')})`,
    );
  }
  if (!Number.isSafeInteger(policy.timeoutMs) || policy.timeoutMs <= 0) {
    throw invalidArgument(
      `policy of data type ${policy.dataType}: timeout_ms must be a positive integer, got ${policy.timeoutMs}`,
    );
  }
  return {
    dataType: policy.dataType,
    decider,
    timeoutMs: policy.timeoutMs,
    alwaysSpeculative: policy.alwaysSpeculative,
  };
}
