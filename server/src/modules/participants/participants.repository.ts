// SQL for participants. Bulk statements pass whole columns as array parameters and
// unnest them in SQL: one statement and a handful of bind parameters whatever the row
// count, so a 5,000-row import never nears PostgreSQL's 65,535-parameter limit.
import { and, asc, count, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { AccessCodeStatus } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, courses, examParticipants, exams, users } from '../../db/schema/index.ts';

type Q = Db | Tx;

/** `value` as a LIKE pattern that matches it literally (\ is the default escape). */
export function likeLiteral(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function courseDomains(db: Q, courseId: string | null): Promise<string[]> {
  if (!courseId) return [];
  const [row] = await db.select({ domains: courses.allowedEmailDomains }).from(courses).where(eq(courses.id, courseId));
  return row?.domains ?? [];
}

export interface AccountRow {
  id: string;
  email: string;
  role: string;
  status: string;
}

export async function usersByEmails(db: Q, emails: string[]): Promise<AccountRow[]> {
  if (!emails.length) return [];
  return db
    .select({ id: users.id, email: users.email, role: users.role, status: users.status })
    .from(users)
    .where(sql`${users.email} = any(${sql.param(emails)}::text[])`);
}

/** New student accounts in the invited state; emails taken meanwhile are left out of the answer. */
export async function insertInvitedUsers(db: Q, rows: { email: string; name: string }[]) {
  if (!rows.length) return [];
  const res = await db.execute<{ id: string; email: string }>(sql`
    insert into ${users} (email, name, role, status, password_hash)
    select e, n, 'student', 'invited', null
    from unnest(${sql.param(rows.map((r) => r.email))}::text[], ${sql.param(rows.map((r) => r.name))}::text[]) as t(e, n)
    on conflict (email) do nothing
    returning id, email`);
  return res.rows;
}

export interface NewParticipantRow {
  userId: string;
  email: string;
  hash: string;
  hint: string;
}

/** Inserts participants; users who already are participants of the exam are left out of the answer. */
export async function insertParticipants(db: Q, examId: string, addedBy: string, rows: NewParticipantRow[]) {
  if (!rows.length) return [];
  const res = await db.execute<{ id: string; user_id: string }>(sql`
    insert into ${examParticipants} (exam_id, user_id, email, access_code_hash, access_code_hint, added_by)
    select ${examId}::uuid, u, e, h, hi, ${addedBy}::uuid
    from unnest(
      ${sql.param(rows.map((r) => r.userId))}::uuid[],
      ${sql.param(rows.map((r) => r.email))}::text[],
      ${sql.param(rows.map((r) => r.hash))}::text[],
      ${sql.param(rows.map((r) => r.hint))}::text[]
    ) as t(u, e, h, hi)
    on conflict (exam_id, user_id) do nothing
    returning id, user_id`);
  return res.rows.map((r) => ({ id: r.id, userId: r.user_id }));
}

/** New codes for many participants in one statement: status back to unused, issued now. */
/** A new code for one participant: unused, issued now. */
export async function setCode(db: Q, participantId: string, code: { hash: string; hint: string }) {
  await db
    .update(examParticipants)
    .set({
      accessCodeHash: code.hash,
      accessCodeHint: code.hint,
      codeStatus: 'unused',
      codeIssuedAt: new Date(),
      codeUsedAt: null,
    })
    .where(eq(examParticipants.id, participantId));
}

export async function replaceCodes(db: Q, examId: string, rows: { id: string; hash: string; hint: string }[]) {
  if (!rows.length) return;
  await db.execute(sql`
    update ${examParticipants} p
    set access_code_hash = t.h, access_code_hint = t.hi, code_status = 'unused',
        code_issued_at = now(), code_used_at = null, updated_at = now()
    from unnest(
      ${sql.param(rows.map((r) => r.id))}::uuid[],
      ${sql.param(rows.map((r) => r.hash))}::text[],
      ${sql.param(rows.map((r) => r.hint))}::text[]
    ) as t(id, h, hi)
    where p.id = t.id and p.exam_id = ${examId}::uuid`);
}

export interface ParticipantFilter {
  participantIds?: string[] | undefined;
  search?: string | undefined;
  codeStatus?: AccessCodeStatus | undefined;
}

function whereOf(examId: string, filter: ParticipantFilter) {
  const where: SQL[] = [eq(examParticipants.examId, examId)];
  if (filter.participantIds) where.push(inArray(examParticipants.id, filter.participantIds));
  if (filter.codeStatus) where.push(eq(examParticipants.codeStatus, filter.codeStatus));
  if (filter.search) {
    const pattern = `%${likeLiteral(filter.search.toLowerCase())}%`;
    where.push(or(sql`${examParticipants.email} like ${pattern}`, sql`lower(${users.name}) like ${pattern}`)!);
  }
  return and(...where);
}

/**
 * Participants with their account and attempt progress, in one statement. The inner
 * query picks the page (and counts every matching row with a window); the attempt
 * columns, correlated subqueries served by the (participant_id, attempt_number)
 * index, then run only for the rows of the page.
 */
export async function listParticipants(
  db: Q,
  examId: string,
  filter: ParticipantFilter,
  page: { limit: number; offset: number } | null,
) {
  const base = db
    .select({ id: examParticipants.id, total: sql<number>`count(*) over ()`.as('total') })
    .from(examParticipants)
    .$dynamic();
  // Only a name search needs the accounts to pick the page.
  const matching = (filter.search ? base.innerJoin(users, eq(users.id, examParticipants.userId)) : base)
    .where(whereOf(examId, filter))
    .orderBy(asc(examParticipants.email), asc(examParticipants.id));
  const paged = (page ? matching.limit(page.limit).offset(page.offset) : matching).as('page');
  const latest = (column: SQL) =>
    sql`(select ${column} from ${attempts} a where a.participant_id = ${examParticipants.id} order by a.attempt_number desc limit 1)`;
  return db
    .select({
      p: examParticipants,
      name: users.name,
      userStatus: users.status,
      attemptCount:
        sql<number>`(select count(*) from ${attempts} a where a.participant_id = ${examParticipants.id})`.mapWith(
          Number,
        ),
      latestStatus: sql<string | null>`${latest(sql`a.status`)}`,
      latestPercentage: sql<number | null>`${latest(sql`a.percentage::float8`)}`,
      total: sql<number>`${paged.total}`.mapWith(Number),
    })
    .from(paged)
    .innerJoin(examParticipants, eq(examParticipants.id, paged.id))
    .innerJoin(users, eq(users.id, examParticipants.userId))
    .orderBy(asc(examParticipants.email), asc(examParticipants.id));
}
export type ParticipantListRow = Awaited<ReturnType<typeof listParticipants>>[number];

/** For a page past the end, where the window count has no row to ride on. */
export async function countParticipants(db: Q, examId: string, filter: ParticipantFilter) {
  const [row] = await db
    .select({ n: count() })
    .from(examParticipants)
    .innerJoin(users, eq(users.id, examParticipants.userId))
    .where(whereOf(examId, filter));
  return row?.n ?? 0;
}

export async function findParticipant(
  db: Q,
  examId: string,
  participantId: string,
  opts: { forUpdate?: boolean } = {},
) {
  const q = db
    .select()
    .from(examParticipants)
    .where(and(eq(examParticipants.id, participantId), eq(examParticipants.examId, examId)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row;
}

/** Participants with names and code dates for the codes CSV: given ids, or every participant. */
export async function participantsForCodes(db: Q, examId: string, ids: string[] | null) {
  return db
    .select({
      id: examParticipants.id,
      email: examParticipants.email,
      name: users.name,
      codeStatus: examParticipants.codeStatus,
      codeIssuedAt: examParticipants.codeIssuedAt,
      codeUsedAt: examParticipants.codeUsedAt,
    })
    .from(examParticipants)
    .innerJoin(users, eq(users.id, examParticipants.userId))
    .where(and(eq(examParticipants.examId, examId), ids ? inArray(examParticipants.id, ids) : undefined))
    .orderBy(asc(examParticipants.email), asc(examParticipants.id));
}

/**
 * Who a bulk reissue replaces: no attempt yet and the code still unused (a voided code
 * stays voided). The status is re-checked after the row lock is taken, so a student
 * whose start commits first is left alone.
 */
function notStarted(examId: string) {
  return and(
    eq(examParticipants.examId, examId),
    eq(examParticipants.codeStatus, 'unused'),
    sql`not exists (select 1 from ${attempts} a where a.participant_id = ${examParticipants.id})`,
  );
}

export async function countNotStarted(db: Q, examId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(examParticipants).where(notStarted(examId));
  return row?.n ?? 0;
}

/** The participants who have not started, locked, with names, for reissuing their codes. */
export async function lockNotStarted(db: Q, examId: string) {
  return db
    .select({ id: examParticipants.id, email: examParticipants.email, name: users.name })
    .from(examParticipants)
    .innerJoin(users, eq(users.id, examParticipants.userId))
    .where(notStarted(examId))
    .orderBy(asc(examParticipants.email), asc(examParticipants.id))
    .for('update', { of: examParticipants });
}

export async function attemptCount(db: Q, participantId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(attempts).where(eq(attempts.participantId, participantId));
  return row?.n ?? 0;
}

export async function deleteParticipant(db: Q, participantId: string) {
  await db.delete(examParticipants).where(eq(examParticipants.id, participantId));
}

/** Every invitation of an email on exams that still exist (a code alone never finds a row). */
export async function participantsByEmail(db: Db, email: string) {
  let q = byEmail.get(db);
  if (!q) byEmail.set(db, (q = prepareByEmail(db)));
  return q.execute({ email });
}
const byEmail = new WeakMap<Db, ReturnType<typeof prepareByEmail>>();
/**
 * Prepared (named, planned once per pooled connection): every code claim starts here, and
 * building and planning it per call cost more than running it (the exam-start storm).
 */
function prepareByEmail(db: Db) {
  return db
    .select({ p: examParticipants })
    .from(examParticipants)
    .innerJoin(exams, eq(exams.id, examParticipants.examId))
    .where(and(eq(examParticipants.email, sql.placeholder('email')), isNull(exams.deletedAt)))
    .prepare('participants_by_email');
}

/** Accounts whose email starts with a prefix; the unique email index serves it (C collation). */
export async function searchUsers(db: Q, prefix: string, limit: number) {
  return db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(users)
    .where(sql`${users.email} like ${`${likeLiteral(prefix)}%`}`)
    .orderBy(asc(users.email))
    .limit(limit);
}

/**
 * Claims an unused code: marks it used and answers the row (new values) in one statement,
 * which also takes the row lock that makes concurrent claims queue (each then sees the one
 * before it). Nothing when the code is not (or no longer) unused with this hash: the caller
 * then looks at the row to say why. Rolled back with the caller's transaction if the entry
 * is refused after all.
 */
export async function claimUnusedCode(tx: Tx, id: string, accessCodeHash: string, usedAt: Date) {
  const [row] = await tx
    .update(examParticipants)
    .set({ codeStatus: 'used', codeUsedAt: usedAt })
    .where(
      and(
        eq(examParticipants.id, id),
        eq(examParticipants.accessCodeHash, accessCodeHash),
        eq(examParticipants.codeStatus, 'unused'),
      ),
    )
    .returning();
  return row;
}

/** One participant row, locked for update. */
export async function lockedParticipant(tx: Tx, id: string) {
  const [row] = await tx.select().from(examParticipants).where(eq(examParticipants.id, id)).for('update');
  return row;
}
