// The rules a CSV import applies to each row before touching the database. Pure, so
// each rejection reason can be tested on its own.
import { emailSchema, PARTICIPANT_IMPORT_MAX_ROWS, participantNameSchema } from '@exam-hall/protocol';
import { badRequest } from '../../http/errors.ts';
import { CsvError, parseCsv } from '../../lib/csv.ts';
import { emailAllowed } from '../courses/courses.service.ts';

export interface ImportLine {
  /** Spreadsheet row number: the header is row 1. */
  row: number;
  email: string;
  name: string | undefined;
}

/** Header names accepted for each column, compared lower-cased without spaces, dashes or underscores. */
const EMAIL_HEADERS = ['email', 'emailaddress', 'mail'];
const NAME_HEADERS = ['name', 'fullname'];
const headerKey = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

/** Reads the file: a header row naming an `email` column (and optionally `name`), then at most 5,000 data rows. */
export function readImportCsv(text: string): ImportLine[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvError)
      throw badRequest(`The CSV file cannot be read: ${e.message}`, [{ path: 'body', message: e.message }]);
    throw e;
  }
  const [header, ...data] = records;
  if (!header)
    throw badRequest('The CSV file is empty: send a header row with an email column, then one row per participant.');
  const keys = header.fields.map(headerKey);
  const emailAt = keys.findIndex((k) => EMAIL_HEADERS.includes(k));
  const nameAt = keys.findIndex((k) => NAME_HEADERS.includes(k));
  if (emailAt < 0) {
    throw badRequest(
      `The first row must be a header with an "email" column (and optionally "name"); found: ${header.fields.join(', ') || '(nothing)'}.`,
    );
  }
  const lines = data
    // Spreadsheets export trailing rows of bare commas; they are blank, not errors.
    .filter((r) => r.fields.some((f) => f.trim() !== ''))
    .map((r) => ({ row: r.row, email: r.fields[emailAt] ?? '', name: nameAt >= 0 ? r.fields[nameAt] : undefined }));
  if (!lines.length) throw badRequest('The CSV file has a header but no participant rows.');
  if (lines.length > PARTICIPANT_IMPORT_MAX_ROWS) {
    throw badRequest(
      `The CSV file has ${lines.length} participant rows; at most ${PARTICIPANT_IMPORT_MAX_ROWS} can be imported at once. Split it into smaller files.`,
    );
  }
  return lines;
}

export type LineCheck =
  { ok: true; row: number; email: string; name: string } | { ok: false; row: number; email: string; reason: string };

/**
 * Everything that can be said about a row without the database: a valid address, a
 * sane name, not a repeat of an earlier row, a domain the course allows. The name
 * defaults to the address's local part.
 */
export function checkLines(lines: ImportLine[], allowedDomains: readonly string[]): LineCheck[] {
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
    if (!emailAllowed(allowedDomains, address)) {
      return { ok: false, row: l.row, email: address, reason: domainReason(address, allowedDomains) };
    }
    let name = address.slice(0, address.lastIndexOf('@'));
    if (l.name !== undefined && l.name.trim() !== '') {
      const parsed = participantNameSchema.safeParse(l.name);
      if (!parsed.success)
        return { ok: false, row: l.row, email: address, reason: `${parsed.error.issues[0]!.message}.` };
      name = parsed.data;
    }
    return { ok: true, row: l.row, email: address, name };
  });
}

export function domainReason(email: string, allowedDomains: readonly string[]): string {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return `The domain ${domain} is not allowed for this course; allowed: ${allowedDomains.join(', ')}.`;
}

/** Why an existing account cannot be invited, or null if it can. */
export function accountProblem(account: { role: string; status: string }): string | null {
  // Only students take exams: a participant row for a teacher or admin would make staff
  // accounts reachable through a code that the inviting teacher holds.
  if (account.role !== 'student') {
    return `This address belongs to a ${account.role} account; only student accounts can be participants.`;
  }
  if (account.status === 'suspended') return 'This account is suspended.';
  return null;
}
