// SQL of the student's live attempt (attempts.live.service.ts): what a joining
// browser is sent, presence segments and the downtime credit.
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { answers, attempts, exams, presence, zoomMeetings, type Attempt } from '../../db/schema/index.ts';

/** Saves later than the deadline by at most this much were already in flight: still accepted. */
export const SAVE_GRACE_SECONDS = 3;

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
