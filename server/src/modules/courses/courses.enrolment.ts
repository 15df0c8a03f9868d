// Who may be enrolled in a course, and how. Students unknown to the system become
// invited student accounts (the course's allowed email domains apply to them);
// co-teachers and proctors must already have a staff account: teachers never create
// staff accounts, an administrator invites them.
import {
  emailSchema,
  ENROLLMENT_IMPORT_MAX_ROWS,
  participantNameSchema,
  type EnrollmentRole,
} from '@exam-hall/protocol';
import type { Tx } from '../../db/client.ts';
import { headerKey, readPeopleCsv } from '../../http/csv-import.ts';
import { domainReason } from '../participants/participants.import.ts';
import * as people from '../participants/participants.repository.ts';
import { emailAllowed } from './courses.rules.ts';
import * as repo from './courses.repository.ts';

/** Account roles that may hold each enrolment role. */
const ACCOUNT_ROLES_FOR: Record<EnrollmentRole, readonly string[]> = {
  student: ['student'],
  teacher: ['teacher', 'admin'],
  proctor: ['proctor', 'teacher', 'admin'],
};

const ROLE_WORDS: Record<EnrollmentRole, string> = { student: 'student', teacher: 'co-teacher', proctor: 'proctor' };

export function missingStaffReason(role: 'teacher' | 'proctor'): string {
  return `No ${role} account with this email: ask an administrator to invite them.`;
}

/** Why an account cannot hold this enrolment role, or null if it can. */
export function accountRoleProblem(role: EnrollmentRole, account: { role: string; status: string }): string | null {
  if (!ACCOUNT_ROLES_FOR[role].includes(account.role)) {
    const allowed = ACCOUNT_ROLES_FOR[role].join(' or ');
    return `This address belongs to a ${account.role} account; a ${ROLE_WORDS[role]} needs a ${allowed} account.`;
  }
  if (account.status === 'suspended') return 'This account is suspended.';
  return null;
}

export interface RosterLine {
  row: number;
  email: string;
  name: string | undefined;
  role: string | undefined;
}

/** Role words a spreadsheet may carry, lower-cased without spaces or dashes. */
const ROLE_ALIASES: Record<string, EnrollmentRole> = {
  student: 'student',
  teacher: 'teacher',
  coteacher: 'teacher',
  proctor: 'proctor',
  invigilator: 'proctor',
};

/** The CSV: a header naming `email` (and optionally `name`, `role`), then at most 5,000 rows. */
export function readRosterCsv(text: string): RosterLine[] {
  return readPeopleCsv(text, {
    roleHeaders: ['role', 'courserole'],
    maxRows: ENROLLMENT_IMPORT_MAX_ROWS,
    messages: {
      empty: 'The CSV file is empty: send a header row (email,name,role), then one row per person.',
      header: 'The first row must be a header with an "email" column (and optionally "name" and "role")',
      noRows: 'The CSV file has a header but no rows.',
      tooMany: (n) =>
        `The CSV file has ${n} rows; at most ${ENROLLMENT_IMPORT_MAX_ROWS} can be imported at once. Split it into smaller files.`,
    },
  });
}

export type Wanted = { row: number; email: string; name: string; role: EnrollmentRole };
export type LineVerdict =
  { ok: true; want: Wanted } | { ok: false; row: number; email: string; role: EnrollmentRole | null; reason: string };

/** What can be said of each row without the database: address, role, name, repeats, domain (students only). */
export function checkRosterLines(lines: RosterLine[], allowedDomains: readonly string[]): LineVerdict[] {
  const firstRowOf = new Map<string, number>();
  return lines.map((l) => {
    const raw = l.email.trim();
    const rawRole = headerKey(l.role ?? '') || 'student';
    const role = ROLE_ALIASES[rawRole] ?? null;
    const fail = (email: string, reason: string): LineVerdict => ({ ok: false, row: l.row, email, role, reason });
    if (!raw) return fail('', 'The email is missing.');
    const email = emailSchema.safeParse(raw);
    if (!email.success) return fail(raw, `"${raw}" is not a valid email address.`);
    const address = email.data;
    const earlier = firstRowOf.get(address);
    if (earlier !== undefined) return fail(address, `Duplicate of row ${earlier} in this file.`);
    firstRowOf.set(address, l.row);
    if (!role) return fail(address, `"${l.role?.trim()}" is not a role: use student, teacher or proctor.`);
    if (role === 'student' && !emailAllowed(allowedDomains, address)) {
      return fail(address, domainReason(address, allowedDomains));
    }
    let name = address.slice(0, address.lastIndexOf('@'));
    if (l.name !== undefined && l.name.trim() !== '') {
      const parsed = participantNameSchema.safeParse(l.name);
      if (!parsed.success) return fail(address, `${parsed.error.issues[0]!.message}.`);
      name = parsed.data;
    }
    return { ok: true, want: { row: l.row, email: address, name, role } };
  });
}

export type Applied =
  | { ok: true; userId: string; outcome: 'added' | 'reactivated' | 'changed'; newAccount: boolean; note?: string }
  | { ok: false; outcome: 'skipped' | 'rejected'; reason: string; userId?: string };

/**
 * Enrols every wanted person in one go (a fixed handful of statements whatever the
 * number): finds or creates accounts, checks each account's role, then inserts,
 * reactivates or changes role in one upsert. The course row must already be locked.
 */
export async function applyEnrolments(
  tx: Tx,
  course: { id: string; teacherId: string },
  wanted: Wanted[],
): Promise<Applied[]> {
  const found = await people.usersByEmails(
    tx,
    wanted.map((w) => w.email),
  );
  const accounts = new Map(found.map((a) => [a.email, a]));
  const created = new Set<string>();
  const newStudents = wanted.filter((w) => w.role === 'student' && !accounts.has(w.email));
  for (const u of await people.insertInvitedUsers(tx, newStudents)) {
    accounts.set(u.email, { id: u.id, email: u.email, role: 'student', status: 'invited' });
    created.add(u.email);
  }
  // Addresses another request registered between our select and insert.
  const raced = newStudents.filter((w) => !accounts.has(w.email)).map((w) => w.email);
  for (const a of await people.usersByEmails(tx, raced)) accounts.set(a.email, a);

  const existing = new Map(
    (
      await repo.enrollmentsOf(
        tx,
        course.id,
        [...accounts.values()].map((a) => a.id),
      )
    ).map((e) => [e.userId, e]),
  );
  const results: Applied[] = wanted.map((w) => {
    const account = accounts.get(w.email);
    if (!account)
      return { ok: false, outcome: 'rejected', reason: missingStaffReason(w.role as 'teacher' | 'proctor') };
    if (account.id === course.teacherId) {
      return { ok: false, outcome: 'skipped', userId: account.id, reason: 'Already teaches this course (its owner).' };
    }
    const problem = accountRoleProblem(w.role, account);
    if (problem) return { ok: false, outcome: 'rejected', userId: account.id, reason: problem };
    const before = existing.get(account.id);
    const newAccount = created.has(w.email);
    if (!before) return { ok: true, userId: account.id, outcome: 'added', newAccount };
    if (before.status === 'dropped') {
      return { ok: true, userId: account.id, outcome: 'reactivated', newAccount, note: 'Re-enrolled (was dropped).' };
    }
    if (before.role === w.role) {
      return {
        ok: false,
        outcome: 'skipped',
        userId: account.id,
        reason: `Already enrolled as ${ROLE_WORDS[w.role]}.`,
      };
    }
    return {
      ok: true,
      userId: account.id,
      outcome: 'changed',
      newAccount,
      note: `Role changed from ${ROLE_WORDS[before.role]} to ${ROLE_WORDS[w.role]}.`,
    };
  });
  await repo.upsertEnrollments(
    tx,
    course.id,
    results.flatMap((r, i) => (r.ok ? [{ userId: r.userId, role: wanted[i]!.role }] : [])),
  );
  return results;
}
