export { ModelType, modelTypeName, parseModelType } from './model-type';
export type { FeatureValue, Features, TensorDatatype, Tensor, DataToServe, ScoreOutput } from './data';
export { tensorSize } from './data';
export {
  Code,
  codeName,
  ServingError,
  invalidArgument,
  notFound,
  failedPrecondition,
  unavailable,
} from './errors';
export type { ModelDescriptor, ModelToServe } from './descriptor';
export { modelKey, splitModelKey, validateName, validateDescriptor } from './descriptor';
export type { FieldSpec, ModelSignature, Model, ModelFactory, ModelFactoryResolver } from './model';
export { MapModelFactoryResolver } from './model';
export type { ModelToServeStats, SpeculativeExecutionStats } from './stats';
export { StatsAccumulator } from './stats';
export type { ServingResult, ServingQualifier, ServingResponse } from './serving-result';
export type { ModelState, ModelStatus, LoadedModel, ModelRegistryOptions } from './model-registry';
export { ModelRegistry } from './model-registry';
export type { PredictFunction, ModelServingOptions } from './model-serving-stream';
export { withModelServing, ModelServingStream } from './model-serving-stream';
