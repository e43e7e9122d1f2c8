export { TensorflowModelFactory, frozenGraphSpec } from './frozen-graph-factory';
export { TensorflowSavedModelFactory, savedModelSpec } from './saved-model-factory';
export {
  TensorflowModel,
  type Postprocess,
  type TensorflowModelParts,
  type OutputBinding,
} from './tensorflow-model';
export type { TensorflowFactoryOptions } from './build-model';
export {
  buildEngine,
  parseRuntimeChoice,
  RUNTIME_CHOICES,
  type GraphSpec,
  type GraphPort,
  type RuntimeChoice,
} from './graph-spec';
export type { Engine } from './engine';
export { INPUTS_METADATA, inputMetadataKey, type InputBinding } from './record-io';
export {
  compileFastPath,
  FAST_PATH_OPS,
  type FastGraph,
  type FastPathResult,
} from './fast-path/compile-graph';
export { loadTfjs, tfjsNodeAvailable, type TfjsRuntime, type TfjsRuntimeName } from './tfjs/tfjs-runtime';
export {
  decodeGraphDef,
  encodeGraphDef,
  parseInput,
  type GraphDef,
  type NodeDef,
  type AttrValue,
  type FunctionDef,
} from './graph/graph-def';
export { inlineFunctions, CALL_OPS, type InlinedGraph } from './graph/inline-functions';
export { DType, dtypeName } from './graph/dtype';
export type { TensorValue, TensorShape } from './graph/tensor-value';
export { pruneGraph, sinkNodes } from './graph/prune';
export {
  decodeSavedModel,
  type MetaGraphDef,
  type SignatureDef,
  type TensorInfo,
} from './saved-model/meta-graph';
export {
  readBundleIndex,
  readBundleTensor,
  readBundleStrings,
  type TensorBundle,
  type BundleEntry,
} from './saved-model/tensor-bundle';
export { variableKeyResolver } from './saved-model/variable-keys';
export { readTfjsModel, type TfjsModel } from './tfjs-format/model-json';
export { buildTfjsFormatModel, tfjsGraphSpec } from './tfjs-format/tfjs-format-model';
export { TfjsLayersEngine } from './tfjs/tfjs-layers-engine';
export { readSSTable } from './saved-model/sstable';
export { savedModelFiles, type SavedModelFiles } from './saved-model/saved-model-files';
export { readTar, writeTar } from './archive/tar';
export { readZip } from './archive/zip';
export { ProtoReader } from './proto/proto-reader';
export { ProtoWriter } from './proto/proto-writer';
