export { runCli, type RunCliOptions } from './run-cli';
export {
  parseCommandLine,
  type Command,
  type CommandLine,
  type DeployCommand,
  type DevCommand,
} from './args';
export {
  resolveCliConfig,
  loadCliConfigFromEnv,
  type CliConfig,
  type CliOptions,
  type OutputFormat,
} from './config';
export { UsageError, formatError, EXIT } from './errors';
export { memoryIo, processIo, type CliIo } from './io';
export { RouterClient } from './router-client';
export { recordFromJson, recordFromCsvRow, parseColumns, servingRequest } from './predict-request';
export {
  WINE_DATA_TYPE,
  WINE_FIELDS,
  parseWineCsv,
  readWineCsv,
  wineRequest,
  syntheticWines,
  type WineRecord,
} from './wine-data';
export { demoWineModel, wineRegressionPmml, wineRegressionValue } from './wine-models';
export {
  startDevCluster,
  devChildSpecs,
  DEV_STOP_ORDER,
  type DevCluster,
  type DevClusterOptions,
} from './dev/dev-cluster';
export { runDev, type DevRunOptions } from './dev/dev-command';
export {
  ProcessSupervisor,
  SupervisedChild,
  ChildExitedError,
  type ChildSpec,
  type ChildExit,
} from './dev/supervisor';
export { streamWines, type WineStreamOptions, type WineStreamSummary } from './dev/wine-stream';
