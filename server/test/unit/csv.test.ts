import { describe, expect, it } from 'vitest';
import { csvCell, CsvError, parseCsv, toCsv } from '../../src/lib/csv.ts';

const fields = (text: string) => parseCsv(text).map((r) => r.fields);

describe('parseCsv', () => {
  it('splits simple records with LF, CRLF or CR line ends', () => {
    expect(fields('a,b\n1,2\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,b\r\n1,2\r\n')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(fields('a,b\r1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('handles quoted fields with commas, doubled quotes and line breaks', () => {
    expect(fields('"Doe, Jane","say ""hi""","two\r\nlines",""\n')).toEqual([
      ['Doe, Jane', 'say "hi"', 'two\r\nlines', ''],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(fields('a,,c,\n')).toEqual([['a', '', 'c', '']]);
    expect(fields(',')).toEqual([['', '']]);
  });

  it('skips a UTF-8 byte-order mark and blank lines, keeping spreadsheet row numbers', () => {
    const records = parseCsv('\uFEFFemail,name\n\na@x.io,"A\nB"\r\n\r\nb@x.io,B\n\n');
    expect(records).toEqual([
      { row: 1, fields: ['email', 'name'] },
      { row: 3, fields: ['a@x.io', 'A\nB'] },
      { row: 5, fields: ['b@x.io', 'B'] },
    ]);
  });

  it('keeps a quote inside an unquoted field as text', () => {
    expect(fields('5" disk,x')).toEqual([['5" disk', 'x']]);
  });

  it('refuses an unterminated quote and text after a closing quote, naming the row', () => {
    expect(() => parseCsv('a\n"never closed,b\n')).toThrow(CsvError);
    expect(() => parseCsv('a\n"never closed,b\n')).toThrow(/Row 2/);
    expect(() => parseCsv('"ab"c,d')).toThrow(/after a closing quote/);
  });

  it('parses an empty document as no records', () => {
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('\uFEFF\r\n\n')).toEqual([]);
  });
});

describe('csvCell and toCsv', () => {
  it('quotes fields with commas, quotes or line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('Doe, Jane')).toBe('"Doe, Jane"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42.5)).toBe('42.5');
  });

  it('defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell(-2)).toBe('-2'); // numbers are data, not formulas
  });

  it('writes CRLF lines behind a BOM that parseCsv reads back', () => {
    const csv = toCsv(
      ['email', 'name'],
      [
        ['a@x.io', 'Doe, Jane'],
        ['b@x.io', 'Zoë "Z" Ng'],
      ],
    );
    expect(csv).toBe('\uFEFFemail,name\r\na@x.io,"Doe, Jane"\r\nb@x.io,"Zoë ""Z"" Ng"\r\n');
    expect(fields(csv)).toEqual([
      ['email', 'name'],
      ['a@x.io', 'Doe, Jane'],
      ['b@x.io', 'Zoë "Z" Ng'],
    ]);
  });
});
