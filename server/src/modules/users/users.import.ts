// The rules an account CSV import applies to each row before touching the database, in
// the participant import's style (server/src/modules/participants/participants.import.ts):
// a header row names the columns, bad rows get a reason, good rows are never blocked by them.
import { emailSchema, roleSchema, roles, USER_IMPORT_MAX_ROWS, userNameSchema, type Role } from '@exam-hall/protocol';
import { badRequest } from '../../http/errors.ts';
import { CsvError, parseCsv } from '../../lib/csv.ts';

export interface UserImportLine {
  /** Spreadsheet row number: the header is row 1. */
  row: number;
  email: string;
  name: string | undefined;
  role: string;
}

const EMAIL_HEADERS = ['email', 'emailaddress', 'mail'];
const NAME_HEADERS = ['name', 'fullname'];
const ROLE_HEADERS = ['role'];
const headerKey = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

/** Reads the file: a header row naming `email` and `role` columns (and optionally `name`), then the rows. */
export function readUserCsv(text: string): UserImportLine[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError)
      throw badRequest(`The CSV file cannot be read: ${e.message}`, [{ path: 'body', message: e.message }]);
    throw e;
  }
  const [header, ...data] = records;
  if (!header) throw badRequest('The CSV file is empty: send a header row (email,name,role), then one row per person.');
  const keys = header.fields.map(headerKey);
  const emailAt = keys.findIndex((k) => EMAIL_HEADERS.includes(k));
  const nameAt = keys.findIndex((k) => NAME_HEADERS.includes(k));
  const roleAt = keys.findIndex((k) => ROLE_HEADERS.includes(k));
  if (emailAt < 0 || roleAt < 0) {
    throw badRequest(
      `The first row must be a header with "email" and "role" columns (and optionally "name"); found: ${header.fields.join(', ') || '(nothing)'}.`,
    );
  }
  const lines = data
    // Spreadsheets export trailing rows of bare commas; they are blank, not errors.
    .filter((r) => r.fields.some((f) => f.trim() !== ''))
    .map((r) => ({
      row: r.row,
      email: r.fields[emailAt] ?? '',
      name: nameAt >= 0 ? r.fields[nameAt] : undefined,
      role: r.fields[roleAt] ?? '',
    }));
  if (!lines.length) throw badRequest('The CSV file has a header but no rows of people.');
  if (lines.length > USER_IMPORT_MAX_ROWS) {
    throw badRequest(
      `The CSV file has ${lines.length} rows; at most ${USER_IMPORT_MAX_ROWS.toLocaleString('en')} accounts can be imported at once. Split it into smaller files.`,
    );
  }
  return lines;
}

export type UserLineCheck =
  | { ok: true; row: number; email: string; name: string; role: Role }
  | { ok: false; row: number; email: string; reason: string };

/** A valid address, a sane name (default: the address's local part), a known role, not a repeat of an earlier row. */
export function checkUserLines(lines: UserImportLine[]): UserLineCheck[] {
  const firstRowOf = new Map<string, number>();
  return lines.map((l) => {
    const raw = l.email.trim();
    if (!raw) return { ok: false, row: l.row, email: '', reason: 'The email is missing.' };
    const email = emailSchema.safeParse(raw);
    if (!email.success) return { ok: false, row: l.row, email: raw, reason: `"${raw}" is not a valid email address.` };
    const address = email.data;
    const earlier = firstRowOf.get(address);
    if (earlier !== undefined) {
      return { ok: false, row: l.row, email: address, reason: `Duplicate of row ${earlier} in this file.` };
    }
    firstRowOf.set(address, l.row);
    const role = roleSchema.safeParse(l.role.trim().toLowerCase());
    if (!role.success) {
      const given = l.role.trim();
      return {
        ok: false,
        row: l.row,
        email: address,
        reason: `${given ? `"${given}" is not a role` : 'The role is missing'}: use one of ${roles.join(', ')}.`,
      };
    }
    let name = address.slice(0, address.lastIndexOf('@'));
    if (l.name !== undefined && l.name.trim() !== '') {
      const parsed = userNameSchema.safeParse(l.name);
      if (!parsed.success)
        return { ok: false, row: l.row, email: address, reason: `${parsed.error.issues[0]!.message}.` };
      name = parsed.data;
    }
    return { ok: true, row: l.row, email: address, name, role: role.data };
  });
}
