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

/** One CSV line (without its line break) that parseCsvRecords reads back as `cells`. */
export function csvLine(cells: readonly string[], delimiter: string): string {
  return cells.map((c) => csvCell(c, delimiter)).join(delimiter);
}
