// CSV in and out (RFC 4180), small enough to own rather than add a dependency for.
// Reading is lenient where spreadsheets are sloppy (LF or CR line ends, a UTF-8 BOM,
// blank lines, a stray quote inside an unquoted field) and strict only where guessing
// would silently shift data between columns (an unterminated quote, text after a
// closing quote).

export interface CsvRecord {
  /** 1-based record number counting blank lines, i.e. the row number a spreadsheet shows. */
  row: number;
  fields: string[];
}

export class CsvError extends Error {
  readonly row: number;
  constructor(message: string, row: number) {
    super(message);
    this.name = 'CsvError';
    this.row = row;
  }
}

/** Parses CSV text into records, skipping blank lines. Throws CsvError on malformed quoting. */
export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let row = 1;
  let fields: string[] = [];
  let field = '';
  let i = 0;
  const n = src.length;

  const endRecord = () => {
    fields.push(field);
    // A blank line is one empty field; it keeps its row number but yields no record.
    if (fields.length > 1 || fields[0] !== '') records.push({ row, fields });
    fields = [];
    field = '';
    row++;
  };

  while (i < n) {
    const c = src[i]!;
    if (c === '"' && field === '') {
      // Quoted field: runs to the next quote that is not doubled.
      const startRow = row;
      i++;
      for (;;) {
        if (i >= n) throw new CsvError(`Row ${startRow} has a quoted field that is never closed.`, startRow);
        const q = src[i]!;
        if (q === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += q;
        i++;
      }
      const next = src[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvError(
          `Row ${startRow} has text after a closing quote; quotes inside a field must be doubled.`,
          startRow,
        );
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\r' || c === '\n') {
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      endRecord();
    } else {
      // Unquoted run up to the next delimiter, copied in one slice for speed.
      let j = i + 1;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13) break; // , \n \r
        j++;
      }
      field += src.slice(i, j);
      i = j;
    }
  }
  // Last record without a trailing newline.
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: cells a spreadsheet would run as a formula get a leading single quote
 * (OWASP "CSV injection"), then the cell is quoted if it holds a comma, quote or line break.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * A whole CSV document with CRLF line ends. The UTF-8 byte-order mark makes Excel read
 * non-ASCII names correctly; parseCsv skips it, so exports can be imported again.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [header, ...rows].map((r) => r.map((v) => csvCell(v as string | number | null)).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
