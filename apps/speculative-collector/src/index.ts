export {
  startCollector,
  COLLECTOR_SERVICE_NAME,
  type CollectorHandle,
  type CollectorDeps,
} from './collector';
export {
  resolveCollectorConfig,
  loadCollectorConfigFromEnv,
  COLLECTOR_SETTINGS,
  type CollectorConfig,
  type CollectorOptions,
} from './config';
export { CollectorEngine, type CollectorEngineOptions, type CollectorCounters } from './collector-engine';
export { isSuccess, valueKey, type Decider, type Verdict } from './decider';
export { DeciderRegistry, DEFAULT_DECIDER } from './decider-registry';
export { FirstDecider } from './first-decider';
export { MajorityDecider } from './majority-decider';
export type { DecisionTarget } from './pending-request';
