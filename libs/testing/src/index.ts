export { startRedisServer, type RedisServerHandle } from './redis-server';
export { sharedDir, sharedPath, hasShared } from './shared-data';
export { regressionPmml, regressionValue, treePmml, type RegressionFixture } from './pmml-fixtures';
export { WINE_COLUMNS, WINE_FIELDS, WINE_TENSORFLOW_METADATA, readWineCsv, type WineRow } from './wine-data';
export {
  REPO_ROOT,
  appMain,
  spawnService,
  startLocalTopology,
  type ServiceProcess,
  type LocalTopology,
  type LocalTopologyOptions,
} from './local-topology';
export { freePort } from './free-port';
