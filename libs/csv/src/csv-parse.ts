/**
 * The project's one CSV reader: RFC 4180 quoting (a quoted cell may hold the delimiter, `""` for a quote,
 * and line breaks) with a configurable one-character delimiter, CRLF or LF line ends and an optional
 * UTF-8 byte order mark. Every record remembers the line it starts on so a bad row can be reported where
 * an editor shows it, even when earlier cells span lines. Input is untrusted, so the sizes are bounded and
 * errors name a line, never the content.
 */

export interface CsvRecord {
  readonly cells: string[];
  /** 1-based line of the text on which the record starts. */
  readonly line: number;
}

export interface CsvLimits {
  /** Longest cell, in UTF-16 code units. */
  readonly maxCellChars: number;
  /** Most cells in one record. */
  readonly maxCells: number;
  /** Most records in one text (blank lines do not count). */
  readonly maxRecords: number;
}

/** Generous for data files (a million-row batch, a wide feature table), small enough to stop a runaway. */
export const DEFAULT_CSV_LIMITS: CsvLimits = Object.freeze({
  maxCellChars: 1 << 20,
  maxCells: 1 << 16,
  maxRecords: 50_000_000,
});

export interface CsvParseOptions {
  /** One character; default `,`. */
  readonly delimiter?: string;
  readonly limits?: Partial<CsvLimits>;
}

/**
 * A malformed or oversized CSV text. `code` is gRPC INVALID_ARGUMENT (3), so the services' error mapping
 * (ServingError.from) reports it as such without this library depending on model-core.
 */
export class CsvError extends Error {
  override readonly name = 'CsvError';
  readonly code = 3;

  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`CSV line ${line}: ${reason}`);
  }
}

/** True when `d` can separate cells: one character that is not a quote or a line break. */
export function isValidDelimiter(d: string): boolean {
  return d.length === 1 && d !== '"' && d !== '\n' && d !== '\r';
}

/**
 * Parses the whole text. Blank lines are skipped (they are not records with one empty cell), while a
 * line holding only `""` is a record with one empty cell. A quote opens a quoted cell only at the start
 * of a cell; elsewhere it is an ordinary character. A quoted cell left open at the end is an error.
 */
export function parseCsvRecords(text: string, options: CsvParseOptions = {}): CsvRecord[] {
  const delimiter = options.delimiter ?? ',';
  if (!isValidDelimiter(delimiter))
    throw new RangeError('a CSV delimiter is one character other than a quote or a line break');
  const { maxCellChars, maxCells, maxRecords } = { ...DEFAULT_CSV_LIMITS, ...options.limits };
  const out: CsvRecord[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let quoteLine = 1;
  // A record is blank when it ended with a single empty, unquoted cell.
  let sawQuote = false;
  const n = text.length;
  // A UTF-8 byte order mark is not part of the first column's name.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const pushCell = () => {
    if (cells.length >= maxCells) throw new CsvError(start, `more than ${maxCells} cells`);
    cells.push(field);
    field = '';
  };
  const endRecord = () => {
    pushCell();
    if (!(cells.length === 1 && cells[0] === '' && !sawQuote)) {
      if (out.length >= maxRecords) throw new CsvError(start, `more than ${maxRecords} records`);
      out.push({ cells, line: start });
    }
    cells = [];
    sawQuote = false;
  };
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          if (field.length > maxCellChars)
            throw new CsvError(line, `a cell is longer than ${maxCellChars} characters`);
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        field += c;
        if (field.length > maxCellChars)
          throw new CsvError(line, `a cell is longer than ${maxCellChars} characters`);
      }
      i++;
      continue;
    }
    if (c === '"' && field.length === 0) {
      quoted = true;
      sawQuote = true;
      quoteLine = line;
    } else if (c === delimiter) {
      pushCell();
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      start = line;
    } else {
      field += c;
      if (field.length > maxCellChars)
        throw new CsvError(line, `a cell is longer than ${maxCellChars} characters`);
    }
    i++;
  }
  if (quoted) throw new CsvError(quoteLine, 'a quoted cell is never closed');
  if (field.length > 0 || cells.length > 0 || sawQuote) endRecord();
  return out;
}

/** parseCsvRecords without the line numbers: the rows' cells. */
export function parseCsv(text: string, options: CsvParseOptions = {}): string[][] {
  return parseCsvRecords(text, options).map((r) => r.cells);
}

/** The delimiters `detectDelimiter` chooses between. */
export const DETECTABLE_DELIMITERS = [',', ';'] as const;

/**
 * Picks `;` or `,` by counting each outside quotes on the first line: the wine data and European exports
 * use `;` (and may hold decimal commas inside quotes), everything else `,`. A tie (e.g. a one-column file)
 * is `,`.
 */
export function detectDelimiter(text: string): string {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted) {
      if (c === '\n' || c === '\r') break;
      if (c === ',') commas++;
      else if (c === ';') semicolons++;
    }
  }
  return semicolons > commas ? ';' : ',';
}

/** `--delimiter` text → the character: one character, or the names `tab`, `\t`, `comma`, `semicolon`. */
export function delimiterFromOption(raw: string): string | undefined {
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';' };
  const d = named[raw.toLowerCase()] ?? raw;
  return isValidDelimiter(d) ? d : undefined;
}
