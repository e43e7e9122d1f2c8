export {
  CsvError,
  DEFAULT_CSV_LIMITS,
  DETECTABLE_DELIMITERS,
  delimiterFromOption,
  detectDelimiter,
  isValidDelimiter,
  parseCsv,
  parseCsvRecords,
  type CsvLimits,
  type CsvParseOptions,
  type CsvRecord,
} from './csv-parse';
export { csvCell, csvLine } from './csv-write';
