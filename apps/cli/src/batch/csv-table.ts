/**
 * CSV for batch scoring: RFC 4180 quoting (quoted cells may hold the delimiter, `""` and newlines) with a
 * configurable one-character delimiter. Each record remembers the line it starts on so a bad row can be
 * reported where an editor shows it, even when earlier cells span lines.
 */

export interface CsvRecord {
  readonly cells: string[];
  /** 1-based line of the file on which the record starts. */
  readonly line: number;
}

/** The delimiters `detectDelimiter` chooses between. */
export const DETECTABLE_DELIMITERS = [',', ';'] as const;

/**
 * Picks `;` or `,` by counting each outside quotes on the first line: the wine data and European exports use
 * `;` (and may hold decimal commas inside quotes), everything else `,`. A tie (e.g. a one-column file) is `,`.
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
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') return undefined;
  return d;
}

/** Parses the whole text; blank lines are skipped (they are not records with one empty cell). */
export function parseCsvRecords(text: string, delimiter: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  // A record is blank when it ended with a single empty, unquoted cell.
  let sawQuote = false;
  const n = text.length;
  // A UTF-8 byte order mark is not part of the first column's name.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(field);
    if (!(cells.length === 1 && field === '' && !sawQuote)) out.push({ cells, line: start });
    cells = [];
    field = '';
    sawQuote = false;
  };
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field.length === 0) {
      quoted = true;
      sawQuote = true;
    } else if (c === delimiter) {
      cells.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      start = line;
    } else {
      field += c;
    }
    i++;
  }
  if (field.length > 0 || cells.length > 0 || sawQuote) endRecord();
  return out;
}

/** Quotes a cell only when it must be: it holds the delimiter, a quote, a line break or edge spaces. */
export function csvCell(text: string, delimiter: string): string {
  if (
    text.includes(delimiter) ||
    text.includes('"') ||
    text.includes('\n') ||
    text.includes('\r') ||
    text !== text.trim()
  ) {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

export function csvLine(cells: readonly string[], delimiter: string): string {
  return cells.map((c) => csvCell(c, delimiter)).join(delimiter);
}
