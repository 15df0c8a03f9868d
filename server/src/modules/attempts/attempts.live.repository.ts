// SQL of the student's live attempt (attempts.live.service.ts): autosave, what a joining
// browser is sent, presence segments and the downtime credit.
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { answers, attempts, exams, presence, zoomMeetings, type Attempt } from '../../db/schema/index.ts';

/** Saves later than the deadline by at most this much were already in flight: still accepted. */
export const SAVE_GRACE_SECONDS = 3;

/**
 * One autosave in one statement: the attempt must be in progress and within its
 * deadline (plus grace); the answer is written only if this save is newer than the
 * stored one for that question, so replays are no-ops and stale saves never win.
 * The page's time on the question (timeSpentSeconds) is added with the write, and only
 * then (a replay adds nothing twice); it is capped at what is left of the attempt's
 * running time (since it started, less pauses) after the time already counted on all its
 * answers, so the answers' times together never exceed the time the attempt has run.
 * Answers the stored sequence, or null when nothing was written.
 */
export async function saveAnswer(
  db: Db,
  s: {
    attemptId: string;
    questionId: string;
    seq: number;
    response: unknown;
    flagged: boolean;
    timeSpentSeconds?: number | undefined;
  },
): Promise<{ seq: number } | null> {
  const res = await db.execute<{ seq: string }>(sql`
    with a as (
      update ${attempts}
         set last_seq = greatest(${attempts.lastSeq}, ${s.seq}), last_activity_at = now()
       where ${attempts.id} = ${s.attemptId}
         and ${attempts.status} = 'in_progress'
         and ${attempts.deadlineAt} + make_interval(secs => ${SAVE_GRACE_SECONDS}) > now()
      returning ${attempts.id} as id,
        greatest(0, ceil(extract(epoch from now() - ${attempts.startedAt}))::int - ${attempts.pausedTotalSeconds}
          - (select coalesce(sum(time_spent_seconds), 0) from ${answers} where attempt_id = ${s.attemptId}))::int as budget
    )
    insert into ${answers} (attempt_id, question_id, response, flagged, seq, time_spent_seconds, answered_at, updated_at)
    select a.id, ${s.questionId}, ${s.response === null ? null : JSON.stringify(s.response)}::jsonb, ${s.flagged}, ${s.seq},
           least(${s.timeSpentSeconds ?? 0}::int, a.budget), now(), now()
      from a
    on conflict (attempt_id, question_id) do update
       set response = excluded.response, flagged = excluded.flagged, seq = excluded.seq, updated_at = now(),
           time_spent_seconds = ${answers}.time_spent_seconds + excluded.time_spent_seconds
     where ${answers}.seq < excluded.seq
    returning seq`);
  const row = res.rows[0];
  return row ? { seq: Number(row.seq) } : null;
}

export async function attemptWriteState(db: Db, attemptId: string) {
  const [row] = await db
    .select({
      status: attempts.status,
      writable: sql<boolean>`${attempts.status} = 'in_progress' and ${attempts.deadlineAt} + make_interval(secs => ${SAVE_GRACE_SECONDS}) > now()`,
    })
    .from(attempts)
    .where(eq(attempts.id, attemptId));
  return row;
}

export function savedAnswers(db: Db | Tx, attemptId: string) {
  return db
    .select({ questionId: answers.questionId, response: answers.response, flagged: answers.flagged, seq: answers.seq })
    .from(answers)
    .where(eq(answers.attemptId, attemptId));
}

export async function attemptById(db: Db, attemptId: string): Promise<Attempt | undefined> {
  const [a] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
  return a;
}

export async function examById(db: Db, examId: string) {
  const [exam] = await db.select().from(exams).where(eq(exams.id, examId));
  return exam;
}

/** Every question of the exam, and the bank questions among `attemptQuestionIds`, with what checking an answer needs. */
export function questionsForChecking(db: Db, examId: string, attemptQuestionIds: readonly string[] = []) {
  return db.query.questions.findMany({
    where: (q, { eq: is, or: either, inArray: among }) =>
      attemptQuestionIds.length
        ? either(is(q.examId, examId), among(q.id, [...attemptQuestionIds]))
        : is(q.examId, examId),
    columns: { id: true, type: true, content: true },
  });
}

export async function disconnectPolicy(db: Db, examId: string) {
  const [exam] = await db
    .select({ policy: exams.disconnectPolicy, cap: exams.disconnectCreditMaxMinutes })
    .from(exams)
    .where(eq(exams.id, examId));
  return exam;
}

/** How many presence segments of the attempt are open, and when the last one closed. */
export async function presenceSummary(db: Db, attemptId: string) {
  const [row] = (await db
    .select({
      open: sql<number>`count(*) filter (where ${presence.leftAt} is null)::int`,
      lastLeft: sql<Date | null>`max(${presence.leftAt})`,
    })
    .from(presence)
    .where(eq(presence.attemptId, attemptId))) as [{ open: number; lastLeft: Date | string | null }];
  return row;
}

/**
 * Adds the time since `lastLeft` to the deadline, up to the exam's cap of `capMinutes`,
 * never for time after the deadline passed. Answers the updated row, or undefined.
 */
export async function creditDowntime(
  db: Db,
  attemptId: string,
  lastLeft: Date,
  capMinutes: number,
): Promise<Attempt | undefined> {
  const [updated] = await db
    .update(attempts)
    .set({
      // Credit = min(gap, what is left of the cap), never for time after the deadline passed.
      disconnectCreditSeconds: sql`${attempts.disconnectCreditSeconds} + least(extract(epoch from now() - ${lastLeft}::timestamptz)::int, ${capMinutes * 60} - ${attempts.disconnectCreditSeconds})`,
      deadlineAt: sql`${attempts.deadlineAt} + make_interval(secs => least(extract(epoch from now() - ${lastLeft}::timestamptz)::int, ${capMinutes * 60} - ${attempts.disconnectCreditSeconds}))`,
    })
    .where(
      and(
        eq(attempts.id, attemptId),
        eq(attempts.status, 'in_progress'),
        sql`${attempts.deadlineAt} > now()`,
        sql`${attempts.disconnectCreditSeconds} < ${capMinutes * 60}`,
        sql`extract(epoch from now() - ${lastLeft}::timestamptz) >= 1`,
      ),
    )
    .returning();
  return updated;
}

/** Open presence segments of the attempt from devices other than this one. */
export function openSegmentsElsewhere(db: Db, attemptId: string, deviceId: string) {
  return db
    .select({ deviceId: presence.deviceId, connectionId: presence.connectionId })
    .from(presence)
    .where(and(eq(presence.attemptId, attemptId), isNull(presence.leftAt), sql`${presence.deviceId} <> ${deviceId}`));
}

export async function openSegment(db: Db, values: typeof presence.$inferInsert) {
  await db.insert(presence).values(values);
}

export async function closeSegment(db: Db, attemptId: string, connectionId: string) {
  await db
    .update(presence)
    .set({ leftAt: new Date() })
    .where(and(eq(presence.attemptId, attemptId), eq(presence.connectionId, connectionId), isNull(presence.leftAt)));
}

/** The exam's Zoom meetings that have not ended (their attendance dashboards show hall presence). */
export async function runningMeetingIds(db: Db, examId: string): Promise<string[]> {
  const live = await db
    .select({ id: zoomMeetings.id })
    .from(zoomMeetings)
    .where(and(eq(zoomMeetings.examId, examId), ne(zoomMeetings.status, 'ended')));
  return live.map((m) => m.id);
}
