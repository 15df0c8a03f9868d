// The rules a CSV import applies to each row before touching the database. Pure, so
// each rejection reason can be tested on its own.
import { emailSchema, PARTICIPANT_IMPORT_MAX_ROWS, participantNameSchema } from '@exam-hall/protocol';
import { readPeopleCsv } from '../../http/csv-import.ts';
import { emailAllowed } from '../courses/courses.service.ts';

export interface ImportLine {
  /** Spreadsheet row number: the header is row 1. */
  row: number;
  email: string;
  name: string | undefined;
}

/** Reads the file: a header row naming an `email` column (and optionally `name`), then at most 5,000 data rows. */
export function readImportCsv(text: string): ImportLine[] {
  return readPeopleCsv(text, {
    maxRows: PARTICIPANT_IMPORT_MAX_ROWS,
    messages: {
      empty: 'The CSV file is empty: send a header row with an email column, then one row per participant.',
      header: 'The first row must be a header with an "email" column (and optionally "name")',
      noRows: 'The CSV file has a header but no participant rows.',
      tooMany: (n) =>
        `The CSV file has ${n} participant rows; at most ${PARTICIPANT_IMPORT_MAX_ROWS} can be imported at once. Split it into smaller files.`,
    },
  }).map(({ row, email, name }) => ({ row, email, name }));
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
