// The exam-start path's fast path ([scale] issue #16, scripts/bench-start-storm.ts): at an
// exam's start thousands of students claim their codes and begin within seconds. The
// transactional statements (attempts.start.repository.ts) take nine round trips per claim
// (after the invitation's lookup: BEGIN, the claim, the entry state, the questions, the
// sections, the attempt, the audit entry, COMMIT) and six per begin, and each round trip
// costs the server a socket write and a wake-up of PostgreSQL. Here each takes two:
//  1. a preview reads, without locks, what the transactional path reads under them, with
//     the row versions (xmin) of what its checks relied on;
//  2. ONE statement (one commit) writes everything, and only if none of those rows changed
//     since the preview; otherwise it writes nothing and answers null.
// Anything the preview would refuse, and any change in between, goes to the transactional
// path (attempts.fast-start.ts), which then decides with the rows locked: it is the only path
// that ever refuses, so every refusal and its message stay as they were.
import { and, count, eq, sql } from 'drizzle-orm';
import { poolOf, type Db } from '../../db/client.ts';
import {
  attempts,
  examParticipants,
  examSections,
  exams,
  questions,
  users,
  type Attempt,
} from '../../db/schema/index.ts';
import { LIVE } from './attempts.start.repository.ts';
import { ACCOMMODATION_COLUMNS } from './attempts.accommodation.ts';

const PARTICIPANT_XMIN = sql<string>`${examParticipants}.xmin::text`;
const EXAM_XMIN = sql<string>`${exams}.xmin::text`;

/*
 * The previews are prepared (named: built by drizzle and planned by PostgreSQL once per pooled
 * connection). Each reads a handful of rows by primary key, a plan that never changes; built
 * and planned per call, they cost the server more CPU than running them (the storm's profile).
 * One set per database handle.
 */
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();
function statements(db: Db) {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepare(db)));
  return s;
}
function prepare(db: Db) {
  return { entry: entryPreviewQuery(db), begin: beginPreviewQuery(db) };
}

/** The pg error codes of a write that found its preview stale (nothing was written). */
const STALE_CODES = new Set([
  '23502', // not_null_violation: the exam changed since the preview (the claim's guard)
  '23505', // unique_violation: an attempt appeared since the preview
  '40P01', // deadlock_detected: PostgreSQL chose this statement; the transactional path decides
]);

/** What both writes answer of the attempt (RETURNING id, status, attempt_number and its clock). */
interface ClockRow {
  id: string;
  status: Attempt['status'];
  attempt_number: number;
  started_at: Date | null;
  deadline_at: Date | null;
  paused_at: Date | null;
  submitted_at: Date | null;
}
const clockOf = (r: ClockRow) => ({
  id: r.id,
  status: r.status,
  attemptNumber: r.attempt_number,
  startedAt: r.started_at,
  deadlineAt: r.deadline_at,
  pausedAt: r.paused_at,
  submittedAt: r.submitted_at,
});

async function unlessStale<T>(write: () => Promise<T>): Promise<T | null> {
  try {
    return await write();
  } catch (err) {
    if (STALE_CODES.has((err as { code?: string }).code ?? '')) return null;
    throw err;
  }
}

// ------------------------------------------------------------------ claiming a code

/**
 * What the claim's checks need, read at once and without locks: the participant (with its
 * row version), the exam (with its row version), the account's status, the live attempt, the
 * attempts used, the exam's own active questions in position order and whether it has sections.
 */
export async function entryPreview(db: Db, participantId: string) {
  const [row] = await statements(db).entry.execute({ participantId });
  return row;
}

function entryPreviewQuery(db: Db) {
  const participantId = sql.placeholder('participantId');
  const live = db
    .select({ v: sql`json_build_object('id', ${attempts.id}, 'status', ${attempts.status})` })
    .from(attempts)
    .where(and(eq(attempts.participantId, participantId), LIVE))
    .limit(1);
  const own = sql<OwnQuestion[]>`coalesce((select json_agg(json_build_object('id', q.id, 'type', q.type,
      'content', q.content, 'answerKey', q.answer_key, 'position', q.position) order by q.position)
    from ${questions} q where q.exam_id = ${exams.id} and q.is_active), '[]'::json)`;
  return db
    .select({
      participant: examParticipants,
      participantVersion: PARTICIPANT_XMIN,
      exam: exams,
      examVersion: EXAM_XMIN,
      userStatus: sql<
        string | null
      >`(${db.select({ s: users.status }).from(users).where(eq(users.id, examParticipants.userId))})`,
      live: sql<{ id: string; status: 'not_started' | 'in_progress' | 'paused' } | null>`(${live})`,
      used: sql<number>`(${db.select({ n: count() }).from(attempts).where(eq(attempts.participantId, participantId))})::int`,
      questions: own,
      hasSections: sql<boolean>`exists (select 1 from ${examSections} s where s.exam_id = ${exams.id})`,
    })
    .from(examParticipants)
    .innerJoin(exams, eq(exams.id, examParticipants.examId))
    .where(eq(examParticipants.id, participantId))
    .prepare('attempt_entry_preview');
}

/** An exam's own question as the attempt's plan needs it (entryPreview). */
export interface OwnQuestion {
  id: string;
  type: string;
  content: Record<string, unknown>;
  answerKey: unknown;
  position: number;
}

/*
 * Spends the code and creates the attempt with its audit entry, in one statement:
 *  - the participant row must still be the previewed version (xmin) with the code unused:
 *    the UPDATE takes its row lock, and a concurrent change (another claim, a new code, an
 *    accommodation) makes PostgreSQL re-check these conditions on the newest version, so
 *    nothing is claimed;
 *  - the exam is share-locked after the participant (the transactional path's order) and
 *    must still be the previewed version: question and section edits rewrite the exam row
 *    (refreshExamTotals), so a plan made from stale questions cannot be stored. When it
 *    changed, the attempt's exam_id is NULL and the NOT NULL constraint fails the whole
 *    statement: nothing was claimed;
 *  - an attempt that appeared since the preview (signed in, on another device) holds the
 *    attempt number this one would take: the unique index fails the statement.
 * Every failure leaves nothing behind (one statement, one transaction).
 */
const CLAIM_AND_CREATE_SQL = `
with claimed as (
  update exam_participants set code_status = 'used', code_used_at = $4, updated_at = $4
   where id = $1 and access_code_hash = $2 and code_status = 'unused' and xmin::text = $3
  returning id, user_id
), created as (
  insert into attempts (exam_id, participant_id, user_id, attempt_number, question_order, option_order,
                        drawn_questions, attempt_token_hash, ip_hash, user_agent)
  select (select e.id from exams e where e.id = $5 and e.xmin::text = $6 for share), c.id, c.user_id, $7,
         $8::jsonb, $9::jsonb, $10::jsonb, $11, $12, $13
    from claimed c
  returning id, user_id, status, attempt_number, started_at, deadline_at, paused_at, submitted_at
), logged as (
  insert into audit_logs (actor_id, actor_role, ip_hash, request_id, action, target_type, target_id, details)
  select user_id, 'student', $12, $14, 'attempt.entered_lobby', 'attempt', id::text, $15::jsonb from created
)
select id, status, attempt_number, started_at, deadline_at, paused_at, submitted_at from created`;

export interface ClaimAndCreate {
  participantId: string;
  accessCodeHash: string;
  participantVersion: string;
  usedAt: Date;
  examId: string;
  examVersion: string;
  attemptNumber: number;
  questionOrder: string[];
  optionOrder: Record<string, string[]>;
  drawnQuestions: Record<string, unknown>;
  attemptTokenHash: string;
  ipHash: string;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** The created attempt, or null when the preview went stale (nothing was written). */
export async function claimAndCreate(db: Db, c: ClaimAndCreate) {
  return unlessStale(async () => {
    const res = await poolOf(db).query<ClockRow>({
      name: 'attempt_claim_and_create',
      text: CLAIM_AND_CREATE_SQL,
      values: [
        c.participantId,
        c.accessCodeHash,
        c.participantVersion,
        c.usedAt,
        c.examId,
        c.examVersion,
        c.attemptNumber,
        JSON.stringify(c.questionOrder),
        JSON.stringify(c.optionOrder),
        JSON.stringify(c.drawnQuestions),
        c.attemptTokenHash,
        c.ipHash,
        c.userAgent,
        c.requestId,
        JSON.stringify(c.details),
      ],
    });
    const r = res.rows[0];
    return r ? { ...clockOf(r), examId: c.examId, questionOrder: c.questionOrder } : null;
  });
}

// ------------------------------------------------------------------ beginning (starting the clock)

/** The attempt, its participant's accommodations and its exam, each with its row version; no locks. */
export async function beginPreview(db: Db, attemptId: string) {
  const [row] = await statements(db).begin.execute({ attemptId });
  return row;
}

function beginPreviewQuery(db: Db) {
  return db
    .select({
      attempt: attempts,
      attemptVersion: sql<string>`${attempts}.xmin::text`,
      acc: ACCOMMODATION_COLUMNS,
      participantVersion: PARTICIPANT_XMIN,
      exam: exams,
      examVersion: EXAM_XMIN,
    })
    .from(attempts)
    .innerJoin(examParticipants, eq(examParticipants.id, attempts.participantId))
    .innerJoin(exams, eq(exams.id, attempts.examId))
    .where(eq(attempts.id, sql.placeholder('attemptId')))
    .prepare('attempt_begin_preview');
}

/*
 * Starts the clock of a lobby attempt and records the audit entry, in one statement, as
 * transitionAttempt(..., 'in_progress', { onlyFrom: ['not_started'] }) and
 * recordStartAccommodation do in the transactional begin:
 *  - the attempt row is locked first (the transactional begin's order) and must still be the
 *    previewed version, not started;
 *  - then the exam is share-locked (exam edits wait for this commit) and must still be the
 *    previewed version, and the participant's accommodations must be the previewed ones.
 * When anything changed, nothing is written and no row comes back.
 */
const BEGIN_IF_UNCHANGED_SQL = `
with locked as (
  select id from attempts where id = $1 and status = 'not_started' and xmin::text = $2 for update
), guard as (
  select (select e.id from exams e where e.id = $3 and e.xmin::text = $4 for share) as exam_id,
         exists (select 1 from exam_participants p where p.id = $5 and p.xmin::text = $6) as same_participant
    from locked
), started as (
  update attempts a set status = 'in_progress', last_activity_at = now(), started_at = coalesce(a.started_at, now()),
         deadline_at = least(now() + make_interval(secs => $7), coalesce($8::timestamptz, 'infinity')),
         paused_at = null, accommodation_seconds = case when $9::int > 0 then $9::int else a.accommodation_seconds end,
         updated_at = now()
    from guard g
   where a.id = $1 and a.status = 'not_started' and g.exam_id is not null and g.same_participant
  returning a.id, a.status, a.attempt_number, a.started_at, a.deadline_at, a.paused_at, a.submitted_at
), logged as (
  insert into audit_logs (actor_id, actor_role, ip_hash, request_id, action, target_type, target_id, details)
  select $10::uuid, $11, $12, $13, 'attempt.started', 'attempt', id::text, $14::jsonb from started
)
select id, status, attempt_number, started_at, deadline_at, paused_at, submitted_at from started`;

export interface BeginIfUnchanged {
  attemptId: string;
  attemptVersion: string;
  examId: string;
  examVersion: string;
  participantId: string;
  participantVersion: string;
  durationSeconds: number;
  notAfter: Date | null;
  accommodationSeconds: number;
  actorId: string;
  actorRole: string;
  ipHash: string;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** The started attempt's clock, or null when the preview went stale (nothing was written). */
export async function beginIfUnchanged(db: Db, b: BeginIfUnchanged) {
  return unlessStale(async () => {
    const res = await poolOf(db).query<ClockRow>({
      name: 'attempt_begin_if_unchanged',
      text: BEGIN_IF_UNCHANGED_SQL,
      values: [
        b.attemptId,
        b.attemptVersion,
        b.examId,
        b.examVersion,
        b.participantId,
        b.participantVersion,
        b.durationSeconds,
        b.notAfter,
        b.accommodationSeconds,
        b.actorId,
        b.actorRole,
        b.ipHash,
        b.requestId,
        JSON.stringify(b.details),
      ],
    });
    const r = res.rows[0];
    return r ? clockOf(r) : null;
  });
}
