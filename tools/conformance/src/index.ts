export {
  conformanceMain,
  runSuite,
  caseLine,
  type ConformanceIo,
  type ConformanceRun,
} from './run-conformance';
export {
  runPfaSuite,
  pfaFunctionLine,
  pfaFileLine,
  type PfaRun,
  type PfaFileResult,
  type PfaFunctionResult,
} from './pfa-conformance';
