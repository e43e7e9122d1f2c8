export {
  conformanceMain,
  runSuite,
  caseLine,
  type ConformanceIo,
  type ConformanceRun,
} from './run-conformance';
