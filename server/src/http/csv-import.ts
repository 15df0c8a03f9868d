// Reading a people CSV upload (participants, accounts, course rosters): a header row names
// the columns (compared lower-cased without spaces, dashes or underscores), then one row per
// person. Unreadable files, a missing column, no rows or too many rows are a 400 that says
// what to fix; blank trailing rows (bare commas from spreadsheets) are skipped.
import { CsvError, parseCsv } from '../lib/csv.ts';
import { badRequest } from './errors.ts';

export interface PeopleCsvLine {
  /** Spreadsheet row number: the header is row 1. */
  row: number;
  email: string;
  name: string | undefined;
  /** Undefined when the file has no role column. */
  role: string | undefined;
}

export interface PeopleCsvSpec {
  /** Header names accepted for the optional role column; omit when the import has none. */
  roleHeaders?: string[];
  roleRequired?: boolean;
  maxRows: number;
  messages: {
    empty: string;
    /** What the header must hold; "; found: <the header>." is appended. */
    header: string;
    noRows: string;
    tooMany: (rows: number) => string;
  };
}

const EMAIL_HEADERS = ['email', 'emailaddress', 'mail'];
const NAME_HEADERS = ['name', 'fullname'];
export const headerKey = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

export function readPeopleCsv(text: string, spec: PeopleCsvSpec): PeopleCsvLine[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError)
      throw badRequest(`The CSV file cannot be read: ${e.message}`, [{ path: 'body', message: e.message }]);
    throw e;
  }
  const [header, ...data] = records;
  if (!header) throw badRequest(spec.messages.empty);
  const keys = header.fields.map(headerKey);
  const at = (names: string[]) => keys.findIndex((k) => names.includes(k));
  const emailAt = at(EMAIL_HEADERS);
  const nameAt = at(NAME_HEADERS);
  const roleAt = spec.roleHeaders ? at(spec.roleHeaders) : -1;
  if (emailAt < 0 || (spec.roleRequired && roleAt < 0)) {
    throw badRequest(`${spec.messages.header}; found: ${header.fields.join(', ') || '(nothing)'}.`);
  }
  const lines = data
    .filter((r) => r.fields.some((f) => f.trim() !== ''))
    .map((r) => ({
      row: r.row,
      email: r.fields[emailAt] ?? '',
      name: nameAt >= 0 ? r.fields[nameAt] : undefined,
      role: roleAt >= 0 ? r.fields[roleAt] : undefined,
    }));
  if (!lines.length) throw badRequest(spec.messages.noRows);
  if (lines.length > spec.maxRows) throw badRequest(spec.messages.tooMany(lines.length));
  return lines;
}
