// SQL of evidence frames: the alert a frame belongs to, storing one frame per alert,
// finding a frame with its exam, the frames of a list of alerts, and the retention sweep.
import { and, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { ProctoringEventDto } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import {
  attempts,
  exams,
  proctoringEvents,
  proctoringEvidence,
  type Attempt,
  type Exam,
  type ProctoringEvidence,
} from '../../db/schema/index.ts';

type Q = Db | Tx;

export async function attemptWithExam(db: Q, attemptId: string): Promise<{ attempt: Attempt; exam: Exam } | undefined> {
  const [row] = await db
    .select({ attempt: attempts, exam: exams })
    .from(attempts)
    .innerJoin(exams, eq(exams.id, attempts.examId))
    .where(eq(attempts.id, attemptId));
  return row;
}

/** The attempt's alert with the browser's id, if any. */
export async function eventByClientId(db: Q, attemptId: string, clientEventId: string) {
  const [row] = await db
    .select({ id: proctoringEvents.id, type: proctoringEvents.type, examId: proctoringEvents.examId })
    .from(proctoringEvents)
    .where(and(eq(proctoringEvents.attemptId, attemptId), eq(proctoringEvents.clientEventId, clientEventId)));
  return row;
}

/** Stores the alert's frame unless it already has one; the new row, or undefined (409 for the caller). */
export async function insertEvidence(
  tx: Tx,
  values: typeof proctoringEvidence.$inferInsert,
): Promise<ProctoringEvidence | undefined> {
  const [row] = await tx.insert(proctoringEvidence).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findEvidence(db: Q, id: string): Promise<ProctoringEvidence | undefined> {
  const [row] = await db.select().from(proctoringEvidence).where(eq(proctoringEvidence.id, id));
  return row;
}

/** The frames of the given alerts, by alert id (what alert lists show: no bytes). */
export async function evidenceOfEvents(db: Q, eventIds: string[]) {
  if (!eventIds.length) return new Map<string, { id: string; deletedAt: Date | null; expiresAt: Date }>();
  const rows = await db
    .select({
      id: proctoringEvidence.id,
      eventId: proctoringEvidence.eventId,
      deletedAt: proctoringEvidence.deletedAt,
      expiresAt: proctoringEvidence.expiresAt,
    })
    .from(proctoringEvidence)
    .where(inArray(proctoringEvidence.eventId, eventIds));
  return new Map(rows.map((r) => [r.eventId, { id: r.id, deletedAt: r.deletedAt, expiresAt: r.expiresAt }]));
}

/**
 * Deletes up to `limit` frames whose time is up (ciphertext gone, deleted_at set; the row
 * stays as the record). SKIP LOCKED lets two workers share the sweep without waiting.
 */
export async function deleteDue(tx: Tx, now: Date, limit: number) {
  const due = tx
    .select({ id: proctoringEvidence.id })
    .from(proctoringEvidence)
    .where(and(isNull(proctoringEvidence.deletedAt), lte(proctoringEvidence.expiresAt, now)))
    .orderBy(proctoringEvidence.expiresAt)
    .limit(limit)
    .for('update', { skipLocked: true });
  return tx
    .update(proctoringEvidence)
    .set({ sealed: null, deletedAt: sql`now()` })
    .where(inArray(proctoringEvidence.id, due))
    .returning({
      id: proctoringEvidence.id,
      eventId: proctoringEvidence.eventId,
      attemptId: proctoringEvidence.attemptId,
      examId: proctoringEvidence.examId,
      expiresAt: proctoringEvidence.expiresAt,
    });
}

/** The alerts with the frame each one has (null: none), for every list that reaches proctors. */
export async function attachEvidence<T extends Pick<ProctoringEventDto, 'id'>>(
  db: Db | Tx,
  events: T[],
): Promise<(T & { evidence: ProctoringEventDto['evidence'] })[]> {
  const byEvent = await evidenceOfEvents(
    db,
    events.map((e) => e.id),
  );
  return events.map((e) => {
    const ev = byEvent.get(e.id);
    return {
      ...e,
      evidence: ev
        ? { id: ev.id, deletedAt: ev.deletedAt?.toISOString() ?? null, expiresAt: ev.expiresAt.toISOString() }
        : null,
    };
  });
}
