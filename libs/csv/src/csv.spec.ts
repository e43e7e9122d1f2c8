import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, delimiterFromOption, detectDelimiter, parseCsvRecords } from './csv-table';

describe('csv-table', () => {
  it('detects ; or , from the first line, ignoring quoted delimiters', () => {
    expect(detectDelimiter('a,b,c\n1;2;3')).toBe(',');
    expect(detectDelimiter('7.4;0.7;0;1.9\n')).toBe(';');
    expect(detectDelimiter('"x,y,z";b\n')).toBe(';');
    expect(detectDelimiter('single\n1')).toBe(',');
  });

  it('parses quotes, escaped quotes, embedded newlines, CRLF and a BOM, with start lines', () => {
    const text = '\uFEFFname;note\r\n"a;b";"say ""hi"""\r\n\r\nc;"two\nlines"\nd;e';
    expect(parseCsvRecords(text, ';')).toEqual([
      { cells: ['name', 'note'], line: 1 },
      { cells: ['a;b', 'say "hi"'], line: 2 },
      { cells: ['c', 'two\nlines'], line: 4 },
      { cells: ['d', 'e'], line: 6 },
    ]);
  });

  it('keeps a record of one quoted empty cell but skips blank lines', () => {
    expect(parseCsvRecords('x\n""\n\n', ',')).toEqual([
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
});
