export type { ModelStore, PublishEvent } from './model-store';
export { comparePositions, isPosition, validatePosition, positionTimeMs, nextPosition } from './positions';
export { StreamGapError, isStreamGapError } from './stream-gap-error';
export { blobKeyOf, isBlobKey, BLOB_PREFIX } from './blob-key';
export {
  resolveStoreLimits,
  DEFAULT_INLINE_LIMIT_BYTES,
  DEFAULT_MAX_MODEL_BYTES,
  type StoreLimits,
  type StoreLimitsOptions,
} from './store-limits';
export { validateProtoDescriptor, eventKind, type EventKind } from './event-validation';
export { parseLocation, type ParsedLocation } from './location';
export { EmbeddedModelStore, type EmbeddedModelStoreOptions } from './embedded-model-store';
export { RedisModelStore, type RedisModelStoreOptions } from './redis-model-store';
export { RemoteModelStore, type RemoteModelStoreOptions } from './remote-model-store';
export { createModelStoreServiceImpl } from './model-store-service';
export { snapshotPages, SnapshotAssembler, DEFAULT_PAGE_LIMITS, type PageLimits } from './snapshot-pages';
export { resolveContent, ContentResolver, type ContentResolverOptions } from './content-resolver';
export type { ExecutorMember, ExecutorMembership } from './executor-membership';
export { StaticMembership } from './static-membership';
export { RedisMembership, type RedisMembershipOptions } from './redis-membership';
export { createModelStore, type ModelStoreConfig } from './create-model-store';
export type { BackoffOptions } from '@modelserving/service-kit';
export {
  StoreFollower,
  type FollowableStore,
  type StoreSink,
  type StoreFollowerOptions,
} from './store-follower';
export { ScriptedStore } from './scripted-store';
