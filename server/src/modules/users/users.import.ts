// The rules an account CSV import applies to each row before touching the database, in
// the participant import's style (server/src/modules/participants/participants.import.ts):
// a header row names the columns, bad rows get a reason, good rows are never blocked by them.
import { emailSchema, roleSchema, roles, USER_IMPORT_MAX_ROWS, userNameSchema, type Role } from '@exam-hall/protocol';
import { readPeopleCsv } from '../../http/csv-import.ts';

export interface UserImportLine {
  /** Spreadsheet row number: the header is row 1. */
  row: number;
  email: string;
  name: string | undefined;
  role: string;
}

/** Reads the file: a header row naming `email` and `role` columns (and optionally `name`), then the rows. */
export function readUserCsv(text: string): UserImportLine[] {
  return readPeopleCsv(text, {
    roleHeaders: ['role'],
    roleRequired: true,
    maxRows: USER_IMPORT_MAX_ROWS,
    messages: {
      empty: 'The CSV file is empty: send a header row (email,name,role), then one row per person.',
      header: 'The first row must be a header with "email" and "role" columns (and optionally "name")',
      noRows: 'The CSV file has a header but no rows of people.',
      tooMany: (n) =>
        `The CSV file has ${n} rows; at most ${USER_IMPORT_MAX_ROWS.toLocaleString('en')} accounts can be imported at once. Split it into smaller files.`,
    },
  }).map((l) => ({ ...l, role: l.role ?? '' }));
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
