export { startRedisServer, type RedisServerHandle } from './redis-server';
export { sharedDir, sharedPath, hasShared } from './shared-data';
