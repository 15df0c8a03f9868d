// A proctor's private note about one student's attempt. Whoever may watch the exam's hall
// (its teacher, admins, proctors of its course) reads and writes it; the student never
// sees it: no student payload reads this table. One note per attempt, last save wins,
// except that a save based on an older version than the stored one is refused, so two
// proctors typing at once do not silently overwrite each other.
import { eq, sql } from 'drizzle-orm';
import type { AttemptNote, AttemptNoteReply, AttemptNoteSave } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { attemptNotes, attempts, users } from '../../db/schema/index.ts';
import { conflict, notFound } from '../../http/errors.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { Caller } from '../../policy/actor.ts';
import { loadWatchableExam } from '../exams/exams.service.ts';
import { attemptById } from './hall.repository.ts';

/** The attempt, if the caller may watch its exam (students: 403; anyone else without access: 404): notes, risk, actions. */
export async function loadWatchableAttempt(db: Db, caller: Caller, attemptId: string) {
  const a = await attemptById(db, attemptId);
  if (!a) throw notFound('Attempt');
  await loadWatchableExam(db, caller.actor, a.examId);
  return a;
}

async function readNote(db: Pick<Db, 'select'>, attemptId: string): Promise<AttemptNote | null> {
  const [row] = await db
    .select({
      attemptId: attemptNotes.attemptId,
      body: attemptNotes.body,
      updatedAt: attemptNotes.updatedAt,
      updatedById: users.id,
      updatedByName: users.name,
    })
    .from(attemptNotes)
    .leftJoin(users, eq(users.id, attemptNotes.updatedBy))
    .where(eq(attemptNotes.attemptId, attemptId));
  if (!row) return null;
  return {
    attemptId: row.attemptId,
    body: row.body,
    updatedAt: row.updatedAt.toISOString(),
    updatedBy: row.updatedById ? { id: row.updatedById, name: row.updatedByName ?? '' } : null,
  };
}

const changedMeanwhile = (current: AttemptNote | null) =>
  conflict(
    current
      ? `${current.updatedBy?.name ?? 'Someone'} changed this note at ${current.updatedAt} while you were editing. Nothing was saved: reload the note, then add your change to theirs.`
      : 'Someone deleted this note while you were editing. Nothing was saved: reload the note and try again.',
  );

export function createAttemptNotes(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;
  return {
    async get(caller: Caller, attemptId: string): Promise<AttemptNoteReply> {
      await loadWatchableAttempt(db, caller, attemptId);
      return { note: await readNote(db, attemptId) };
    },

    /** Saves the note (an empty body deletes it), audited without its text in the same transaction. */
    async save(caller: Caller, input: AttemptNoteSave): Promise<AttemptNoteReply> {
      const a = await loadWatchableAttempt(db, caller, input.attemptId);
      return db.transaction(async (tx) => {
        // Serialises saves of one attempt's note, whether or not a note exists yet.
        await tx.select({ id: attempts.id }).from(attempts).where(eq(attempts.id, a.id)).for('update');
        const current = await readNote(tx, a.id);
        if (input.baseUpdatedAt !== undefined && (current?.updatedAt ?? null) !== input.baseUpdatedAt) {
          throw changedMeanwhile(current);
        }
        const ctx = auditContextOf(secret, caller);
        if (!input.body) {
          if (current) {
            await tx.delete(attemptNotes).where(eq(attemptNotes.attemptId, a.id));
            await audit.record(tx, ctx, {
              action: 'hall.note_deleted',
              targetType: 'attempt',
              targetId: a.id,
              details: { examId: a.examId },
            });
          }
          return { note: null };
        }
        await tx
          .insert(attemptNotes)
          .values({ attemptId: a.id, body: input.body, updatedBy: caller.actor.userId })
          .onConflictDoUpdate({
            target: attemptNotes.attemptId,
            set: { body: input.body, updatedBy: caller.actor.userId, updatedAt: sql`now()` },
          });
        await audit.record(tx, ctx, {
          action: 'hall.note_saved',
          targetType: 'attempt',
          targetId: a.id,
          // The length only: the text is the proctor's private note.
          details: { examId: a.examId, length: input.body.length, created: current === null },
        });
        return { note: await readNote(tx, a.id) };
      });
    },
  };
}
export type AttemptNotes = ReturnType<typeof createAttemptNotes>;
