// SQL of proctoring signals (alerts) and the attempt's risk score.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AlertAction } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, exams, proctoringEvents, type ProctoringEvent } from '../../db/schema/index.ts';

type Q = Db | Tx;

/**
 * How many alerts of each type the attempt has, dismissed ones left out; `weighted` sums each
 * alert's confidence (1 when it has none), `confidence` is the mean of those that have one.
 */
export async function countsByType(
  db: Q,
  attemptId: string,
): Promise<{ type: string; count: number; weighted: number; confidence: number | null }[]> {
  return db
    .select({
      type: proctoringEvents.type,
      count: sql<number>`count(*)::int`,
      weighted: sql<number>`sum(coalesce(${proctoringEvents.confidence}, 1))::float8`,
      confidence: sql<number | null>`avg(${proctoringEvents.confidence})::float8`,
    })
    .from(proctoringEvents)
    .where(and(eq(proctoringEvents.attemptId, attemptId), sql`${proctoringEvents.reviewStatus} <> 'dismissed'`))
    .groupBy(proctoringEvents.type);
}

export async function setRiskScore(db: Q, attemptId: string, score: number) {
  await db.update(attempts).set({ riskScore: score }).where(eq(attempts.id, attemptId));
}

/** Whether the exam records signals in strict mode (proctoring.strict.ts); the form offers it only when proctored. */
export async function strictMode(db: Q, examId: string): Promise<boolean> {
  const [row] = await db
    .select({
      strict: sql<boolean>`coalesce((${exams.proctoring} ->> 'enabled')::boolean and (${exams.proctoring} ->> 'strictMode')::boolean, false)`,
    })
    .from(exams)
    .where(eq(exams.id, examId));
  return row?.strict ?? false;
}

/** Stores a signal unless its clientEventId was already stored; the new row, or undefined for a repeat. */
export async function insertEvent(
  db: Q,
  values: typeof proctoringEvents.$inferInsert,
): Promise<ProctoringEvent | undefined> {
  const [event] = await db.insert(proctoringEvents).values(values).onConflictDoNothing().returning();
  return event;
}

export async function findEvent(db: Q, eventId: string): Promise<ProctoringEvent | undefined> {
  const [event] = await db.select().from(proctoringEvents).where(eq(proctoringEvents.id, eventId));
  return event;
}

/** The exam of each given alert that exists. */
export async function examsOfEvents(db: Q, eventIds: string[]) {
  return db
    .select({ id: proctoringEvents.id, examId: proctoringEvents.examId })
    .from(proctoringEvents)
    .where(inArray(proctoringEvents.id, eventIds));
}

export interface Review {
  reviewStatus: 'acknowledged' | 'dismissed' | 'flagged';
  reviewedBy: string;
  reviewedAt: Date;
  reviewNote: string | null;
}

/** Sets the review of the given alerts; the updated rows. */
export async function reviewEvents(tx: Tx, eventIds: string[], review: Review): Promise<ProctoringEvent[]> {
  return tx.update(proctoringEvents).set(review).where(inArray(proctoringEvents.id, eventIds)).returning();
}

/** Records what was done about an alert of this attempt; undefined when the alert is not the attempt's. */
export async function setAction(
  tx: Tx,
  eventId: string,
  attemptId: string,
  action: AlertAction,
  by: string,
): Promise<ProctoringEvent | undefined> {
  const [row] = await tx
    .update(proctoringEvents)
    .set({ action, actionBy: by, actionAt: new Date() })
    .where(and(eq(proctoringEvents.id, eventId), eq(proctoringEvents.attemptId, attemptId)))
    .returning();
  return row;
}
