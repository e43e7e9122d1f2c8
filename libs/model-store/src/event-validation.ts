import type { DataTypePolicy, ModelDescriptor, ModelKeyRef } from '@modelserving/contracts';
import {
  Code,
  ServingError,
  invalidArgument,
  modelKey,
  notFound,
  validateName,
} from '@modelserving/model-core';
import { isBlobKey } from './blob-key';
import { parseLocation } from './location';
import type { PublishEvent } from './model-store';
import { formatBytes, type StoreLimits } from './store-limits';

export type EventKind = 'deploy' | 'undeploy' | 'policy' | 'suspended';

/** Which of the event's oneof members is set; INVALID_ARGUMENT unless exactly one is. */
export function eventKind(event: PublishEvent): EventKind {
  const set: EventKind[] = [];
  if (event.deploy !== undefined) set.push('deploy');
  if (event.undeploy !== undefined) set.push('undeploy');
  if (event.policy !== undefined) set.push('policy');
  if (event.suspended !== undefined) set.push('suspended');
  if (set.length !== 1) {
    throw invalidArgument(
      set.length === 0
        ? 'model stream event is empty: set one of deploy, undeploy, policy or suspended'
        : `model stream event sets ${set.join(' and ')}: set exactly one`,
    );
  }
  return set[0] as EventKind;
}

const MODEL_TYPES = new Set([0, 1, 2, 3]);

/**
 * Checks a proto descriptor (names via model-core's rules, data XOR location, known model type, a location
 * we can resolve) and returns a normalized copy in which exactly one of data/location is present.
 */
export function validateProtoDescriptor(d: ModelDescriptor, limits: StoreLimits): ModelDescriptor {
  validateName('model name', d.name);
  validateName('data type', d.dataType);
  const key = modelKey(d.dataType, d.name);
  if (!MODEL_TYPES.has(d.modelType))
    throw invalidArgument(`model ${key} has unknown model type ${d.modelType}`);
  const hasData = d.data !== undefined && d.data.length > 0;
  const hasLocation = d.location !== undefined && d.location.length > 0;
  if (!hasData && !hasLocation) throw invalidArgument(`model ${key} has neither data nor location`);
  if (hasData && hasLocation) throw invalidArgument(`model ${key} has both data and location`);
  const base = {
    name: d.name,
    description: d.description,
    dataType: d.dataType,
    modelType: d.modelType,
    metadata: { ...(d.metadata ?? {}) },
  };
  if (hasData) {
    const data = toBuffer(d.data as Uint8Array);
    if (data.length > limits.maxModelBytes) {
      throw new ServingError(
        Code.RESOURCE_EXHAUSTED,
        `model ${key} is ${formatBytes(data.length)}, larger than the limit of ${formatBytes(limits.maxModelBytes)} (maxModelBytes)`,
      );
    }
    return { ...base, data };
  }
  const location = d.location as string;
  try {
    parseLocation(location);
  } catch (err) {
    throw invalidArgument(`model ${key}: ${(err as Error).message}`, err);
  }
  return { ...base, location };
}

export function validateModelKeyRef(ref: ModelKeyRef): ModelKeyRef {
  validateName('model name', ref.name);
  validateName('data type', ref.dataType);
  return { dataType: ref.dataType, name: ref.name };
}

export function validatePolicy(p: DataTypePolicy): DataTypePolicy {
  validateName('data type', p.dataType);
  validateName('decider', p.decider);
  if (!Number.isSafeInteger(p.timeoutMs) || p.timeoutMs < 0) {
    throw invalidArgument(
      `policy of data type ${p.dataType}: timeoutMs must be a non-negative integer, got ${p.timeoutMs}`,
    );
  }
  return {
    dataType: p.dataType,
    decider: p.decider,
    timeoutMs: p.timeoutMs,
    alwaysSpeculative: p.alwaysSpeculative === true,
  };
}

/** The blob operations publish needs; every store has them. */
export interface BlobAccess {
  putBlob(data: Uint8Array): Promise<string>;
  hasBlob(key: string): Promise<boolean>;
}

/**
 * Validates an event and turns it into exactly what the store appends: one oneof member, normalized; a large
 * inline model moved to a blob (so the stream and snapshots stay small); a `blob:` location checked to exist
 * (otherwise every executor would fail to build it later).
 */
export async function prepareEvent(
  event: PublishEvent,
  limits: StoreLimits,
  blobs: BlobAccess,
): Promise<PublishEvent> {
  switch (eventKind(event)) {
    case 'deploy': {
      let d = validateProtoDescriptor(event.deploy as ModelDescriptor, limits);
      if (d.data !== undefined && d.data.length > limits.inlineLimitBytes) {
        const location = await blobs.putBlob(d.data);
        const { data: _moved, ...rest } = d;
        d = { ...rest, location };
      } else if (d.location !== undefined && isBlobKey(d.location) && !(await blobs.hasBlob(d.location))) {
        throw notFound(
          `model ${modelKey(d.dataType, d.name)}: blob ${d.location} is not in the model store (putBlob it first)`,
        );
      }
      return { deploy: d };
    }
    case 'undeploy':
      return { undeploy: validateModelKeyRef(event.undeploy as ModelKeyRef) };
    case 'policy':
      return { policy: validatePolicy(event.policy as DataTypePolicy) };
    case 'suspended':
      return { suspended: event.suspended === true };
  }
}

/** Proto `bytes` fields are Buffers; callers may hand in any Uint8Array. No copy. */
export function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
