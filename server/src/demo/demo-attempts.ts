// A running attempt for demo data: the participant's code marked used, the attempt made with
// the exam's questions in order, and started through the attempt state machine.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { attempts, examParticipants, questions } from '../db/schema/index.ts';
import { transitionAttempt } from '../modules/attempts/attempts.state.ts';

/**
 * Starts an attempt of `userId` (a participant of the exam); `beforeStart` runs on the
 * not-yet-started attempt (a lobby step such as the camera check). Undefined when the user
 * is not a participant.
 */
export async function startDemoAttempt(
  db: Db,
  exam: { id: string; durationMinutes: number },
  userId: string,
  beforeStart?: (attemptId: string) => Promise<unknown>,
): Promise<string | undefined> {
  const participant = await db.query.examParticipants.findFirst({
    where: and(eq(examParticipants.examId, exam.id), eq(examParticipants.userId, userId)),
  });
  if (!participant) return undefined;
  await db
    .update(examParticipants)
    .set({ codeStatus: 'used', codeUsedAt: new Date() })
    .where(eq(examParticipants.id, participant.id));
  const qs = await db.select({ id: questions.id }).from(questions).where(eq(questions.examId, exam.id));
  const [attempt] = await db
    .insert(attempts)
    .values({ examId: exam.id, userId, participantId: participant.id, questionOrder: qs.map((q) => q.id) })
    .returning();
  await beforeStart?.(attempt!.id);
  await transitionAttempt(db, attempt!.id, 'in_progress', { durationSeconds: exam.durationMinutes * 60 });
  return attempt!.id;
}
