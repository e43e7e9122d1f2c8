import { MODEL_COMPILERS } from './models';
import { BUILTINS } from './transformations/builtin-functions';

export { PmmlModelFactory, PmmlModel } from './pmml-model';
export { parsePmml, compilePmml, PmmlEvaluator } from './evaluator';
export type { PmmlOptions, PmmlEvaluation } from './evaluator';
export { parseXml, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH } from './xml/xml-parser';
export type { XmlElement, XmlParseOptions } from './xml/xml-parser';
export { runConformance, runConformanceCase, loadManifest, compareCell } from './conformance-runner';
export type {
  ConformanceCase,
  ConformanceCaseResult,
  ConformanceMismatch,
  ConformanceReport,
  ConformanceTolerance,
} from './conformance-runner';

/** Model elements this library compiles (others are rejected with INVALID_ARGUMENT naming the element). */
export const SUPPORTED_MODEL_ELEMENTS: readonly string[] = Object.freeze([...MODEL_COMPILERS.keys()]);

/** Built-in function names available to Apply. */
export const BUILTIN_FUNCTION_NAMES: readonly string[] = Object.freeze(Object.keys(BUILTINS));

export { verifyPmml, hasModelVerification } from './model-verification';
export type {
  VerificationField,
  VerificationMismatch,
  VerificationRecordResult,
  VerificationReport,
} from './model-verification';
