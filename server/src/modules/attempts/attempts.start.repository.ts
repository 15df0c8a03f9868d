// The statements of the exam-start path (claim with a code or signed in, and begin), each
// merging reads that used to be one round trip apiece ([scale] issue #16: ~13 round trips
// per claim). Every statement here runs AFTER the row lock that makes its reads stable has
// been taken by an earlier statement: in READ COMMITTED a statement's snapshot is taken
// when it starts, so a subquery in the same statement as a lock that had to wait would
// read the world as it was before the wait (and miss, e.g., an attempt the lock holder
// just committed).
import { and, count, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { attempts, examParticipants, exams, users } from '../../db/schema/index.ts';
import { ACCOMMODATION_COLUMNS } from './attempts.accommodation.ts';

export const LIVE = sql`${attempts.status} in ('not_started', 'in_progress', 'paused')`;

/**
 * With the participant row already locked (so no attempt of theirs can appear meanwhile):
 * the exam, share-locked (question edits lock it for update and so wait until this attempt
 * exists), the account's status, the participant's live attempt (id and status) and how
 * many attempts they have used, in one statement. The exam's lock may wait on an editor;
 * the subqueries only read rows the participant lock already keeps still.
 */
export async function entryState(tx: Tx, examId: string, participantId: string, userId: string) {
  const live = tx
    .select({ v: sql`json_build_object('id', ${attempts.id}, 'status', ${attempts.status})` })
    .from(attempts)
    .where(and(eq(attempts.participantId, participantId), LIVE))
    .limit(1);
  const [row] = await tx
    .select({
      exam: exams,
      userStatus: sql<string | null>`(${tx.select({ s: users.status }).from(users).where(eq(users.id, userId))})`,
      live: sql<{ id: string; status: 'not_started' | 'in_progress' | 'paused' } | null>`(${live})`,
      used: sql<number>`(${tx.select({ n: count() }).from(attempts).where(eq(attempts.participantId, participantId))})::int`,
    })
    .from(exams)
    .where(eq(exams.id, examId))
    .for('share');
  return row;
}

/** The full row of a live attempt (the signed-in student coming back to its lobby). */
export async function attemptById(tx: Tx, id: string) {
  const [row] = await tx.select().from(attempts).where(eq(attempts.id, id));
  return row;
}

/**
 * Begin's first statement: the attempt row locked for update (concurrent begins queue here),
 * with its participant's accommodations. The exam is locked by a second statement
 * (`lockedExam`) so its lock and this one are taken in the same order as before.
 */
export async function lockedAttemptWithAccommodation(tx: Tx, attemptId: string) {
  const [row] = await tx
    .select({
      attempt: attempts,
      acc: ACCOMMODATION_COLUMNS,
    })
    .from(attempts)
    .leftJoin(examParticipants, eq(examParticipants.id, attempts.participantId))
    .where(eq(attempts.id, attemptId))
    .for('update', { of: attempts });
  return row;
}

/** The exam, share-locked: exam edits (which lock it for update) wait until this transaction ends. */
export async function lockedExam(tx: Tx, examId: string) {
  const [row] = await tx.select().from(exams).where(eq(exams.id, examId)).for('share');
  return row;
}
