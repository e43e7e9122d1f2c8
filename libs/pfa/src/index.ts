export { PfaEngine } from './compiler/engine';
export type { PfaEngineOptions } from './compiler/engine';
export { loadDocument, DOCUMENT_FIELDS } from './document';
export type { PfaDocument } from './document';
export { PfaSemanticError, PfaRuntimeError, PfaUserError, PfaTimeoutError } from './errors';
export {
  TypeRegistry,
  accepts,
  describe as describeType,
  typeToJson,
  T as AvroTypes,
} from './types/avro-type';
export type {
  AvroType,
  RecordType,
  EnumType,
  FixedType,
  UnionType,
  ArrayType,
  MapType,
  FcnType,
} from './types/avro-type';
export { fromAvroJson, toAvroJson, valueMatches } from './json/avro-json';
export type { BytesEncoding } from './json/avro-json';
export { parsePfaJson, JsonDouble } from './json/pfa-json';
export type { Value, PfaMap, PfaRecord } from './values';
export { runConformance, numbersClose, valuesClose } from './conformance';
export type { ConformanceReport, ConformanceFailure } from './conformance';
export { libraryCoverage, implementedFunctions } from './coverage';
export type { LibraryCoverage } from './coverage';
export { PfaModelFactory, PfaModel, avroFieldName } from './pfa-model';
