import { describe, expect, it } from 'vitest';
import { CsvError, csvCell, csvLine, delimiterFromOption, detectDelimiter, parseCsvRecords } from './index';

describe('csv', () => {
  it('detects ; or , from the first line, ignoring quoted delimiters', () => {
    expect(detectDelimiter('a,b,c\n1;2;3')).toBe(',');
    expect(detectDelimiter('7.4;0.7;0;1.9\n')).toBe(';');
    expect(detectDelimiter('"x,y,z";b\n')).toBe(';');
    expect(detectDelimiter('single\n1')).toBe(',');
  });

  it('parses quotes, escaped quotes, embedded newlines, CRLF and a BOM, with start lines', () => {
    const text = '\uFEFFname;note\r\n"a;b";"say ""hi"""\r\n\r\nc;"two\nlines"\nd;e';
    expect(parseCsvRecords(text, { delimiter: ';' })).toEqual([
      { cells: ['name', 'note'], line: 1 },
      { cells: ['a;b', 'say "hi"'], line: 2 },
      { cells: ['c', 'two\nlines'], line: 4 },
      { cells: ['d', 'e'], line: 6 },
    ]);
  });

  it('keeps a record of one quoted empty cell but skips blank lines', () => {
    expect(parseCsvRecords('x\n""\n\n')).toEqual([
      { cells: ['x'], line: 1 },
      { cells: [''], line: 2 },
    ]);
  });

  it('quotes output cells only when needed', () => {
    expect(csvCell('plain', ',')).toBe('plain');
    expect(csvCell('a,b', ',')).toBe('"a,b"');
    expect(csvCell('a,b', ';')).toBe('a,b');
    expect(csvCell('say "x"', ',')).toBe('"say ""x"""');
    expect(csvCell(' padded', ',')).toBe('" padded"');
    expect(csvLine(['1', 'a;b'], ';')).toBe('1;"a;b"');
  });

  it('reads --delimiter names and rejects what cannot delimit', () => {
    expect(delimiterFromOption('tab')).toBe('\t');
    expect(delimiterFromOption(';')).toBe(';');
    expect(delimiterFromOption('|')).toBe('|');
    expect(delimiterFromOption('"')).toBeUndefined();
    expect(delimiterFromOption(';;')).toBeUndefined();
  });

  it('reads back what csvLine writes, with any delimiter', () => {
    const cells = ['a\tb', 'say "x"', ' edge ', 'two\r\nlines', ''];
    for (const d of ['\t', ',', ';', '|']) {
      expect(
        parseCsvRecords(`${csvLine(cells, d)}\n${csvLine(['1', '2', '3', '4', '5'], d)}`, { delimiter: d }),
      ).toEqual([
        { cells, line: 1 },
        { cells: ['1', '2', '3', '4', '5'], line: 3 },
      ]);
    }
  });

  it('rejects a quoted cell that is never closed, naming the line it opened on', () => {
    const err = (() => {
      try {
        parseCsvRecords('a,b\n1,"open\n2,3\n');
      } catch (e) {
        return e;
      }
      throw new Error('parsed an unclosed quote');
    })();
    expect(err).toBeInstanceOf(CsvError);
    expect((err as CsvError).line).toBe(2);
    expect((err as CsvError).code).toBe(3);
    expect((err as CsvError).message).toBe('CSV line 2: a quoted cell is never closed');
  });

  it('bounds cell length, cells per record and records, without echoing content', () => {
    const secret = 'x'.repeat(20);
    expect(() => parseCsvRecords(`ok\n${secret}`, { limits: { maxCellChars: 10 } })).toThrow(
      'CSV line 2: a cell is longer than 10 characters',
    );
    expect(() => parseCsvRecords(`ok\n"${secret}"`, { limits: { maxCellChars: 10 } })).toThrow(
      'CSV line 2: a cell is longer than 10 characters',
    );
    expect(parseCsvRecords(`${'x'.repeat(10)}`, { limits: { maxCellChars: 10 } })).toHaveLength(1);
    expect(() => parseCsvRecords('a,b,c\n1,2,3,4', { limits: { maxCells: 3 } })).toThrow(
      'CSV line 2: more than 3 cells',
    );
    expect(() => parseCsvRecords('1\n2\n\n3\n4', { limits: { maxRecords: 3 } })).toThrow(
      'CSV line 5: more than 3 records',
    );
    expect(parseCsvRecords('1\n2\n\n3\n', { limits: { maxRecords: 3 } })).toHaveLength(3);
  });

  it('refuses a delimiter that cannot delimit', () => {
    expect(() => parseCsvRecords('a', { delimiter: '"' })).toThrow(RangeError);
    expect(() => parseCsvRecords('a', { delimiter: ';;' })).toThrow(RangeError);
  });
});
