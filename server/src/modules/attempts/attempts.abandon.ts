// Abandoned attempts. The rule, checked when an attempt's time runs out (the expiry job
// and the sweep, attempts.expiry.ts, both call endIfAbandoned before expiring):
//
//   An attempt ends as `abandoned` instead of `expired` when, at that moment,
//     1. it is running (in_progress; a paused attempt's clock is stopped, it never ends by time),
//     2. its deadline plus the save grace has passed,
//     3. the student's window has closed: their own window (an accommodation) when they have
//        one, else the exam's (not available anytime and ends_at <= now; an exam without a
//        window has nothing to be left past, so its attempts expire), and
//     4. the student did nothing in it for the whole of its time: no answer was ever saved
//        (no answer row: every save writes one, and a flag or a cleared answer is a save
//        too), and no device of theirs is connected to it now (no open presence
//        segment).
//
// last_activity_at alone cannot tell (4): a proctor's pause and resume move it too. An
// attempt with a single saved answer, or with its page still open at the end, expires
// and is graded as usual. Abandoned attempts are not graded (gradableAttemptStatuses
// are submitted and expired) and the teacher's results show them as Abandoned. Lobbies
// whose exam closed before they started end as abandoned too (attempts.lobby.ts).
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, attempts, examParticipants, exams, presence, type Attempt } from '../../db/schema/index.ts';
import { AppError } from '../../http/errors.ts';
import * as audit from '../audit/audit.service.ts';
import { hallRows } from '../hall/hall.repository.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { SAVE_GRACE_SECONDS } from './attempts.live.repository.ts';
import { transitionAttempt } from './attempts.state.ts';

/** Ends the attempt as abandoned if the rule above holds; answers the ended row, or null. */
export async function abandonIfLeft(db: Db, attemptId: string): Promise<Attempt | null> {
  try {
    return await db.transaction(async (tx) => {
      // Row lock: a save racing with this (it holds the row FOR SHARE) either committed
      // first, and its answer row is seen by the next statement's fresh snapshot, or waits
      // for this lock and then finds the attempt no longer in progress.
      const [a] = await tx
        .select({ id: attempts.id })
        .from(attempts)
        .innerJoin(exams, eq(exams.id, attempts.examId))
        .innerJoin(examParticipants, eq(examParticipants.id, attempts.participantId))
        .where(
          and(
            eq(attempts.id, attemptId),
            eq(attempts.status, 'in_progress'),
            sql`${attempts.deadlineAt} + make_interval(secs => ${SAVE_GRACE_SECONDS}) <= now()`,
            sql`coalesce(${examParticipants.windowEndsAt}, case when not ${exams.availableAnytime} then ${exams.endsAt} end) <= now()`,
          ),
        )
        .for('update', { of: attempts });
      if (!a) return null;
      const [saved] = await tx
        .select({ id: answers.id })
        .from(answers)
        .where(eq(answers.attemptId, attemptId))
        .limit(1);
      if (saved) return null;
      const [open] = await tx
        .select({ id: presence.id })
        .from(presence)
        .where(and(eq(presence.attemptId, attemptId), isNull(presence.leftAt)))
        .limit(1);
      if (open) return null;
      const ended = await transitionAttempt(tx, attemptId, 'abandoned', {
        reason: 'abandoned',
        onlyFrom: ['in_progress'],
        onlyIfDueWithGraceSeconds: SAVE_GRACE_SECONDS,
      });
      await audit.record(
        tx,
        { actorRole: 'system' },
        {
          action: 'attempt.abandoned',
          targetType: 'attempt',
          targetId: ended.id,
          details: { examId: ended.examId, rule: 'window closed, no answer saved, no device connected' },
        },
      );
      return ended;
    });
  } catch (e) {
    if (e instanceof AppError && e.code === 'invalid_transition') return null;
    throw e;
  }
}

/** For expiry: ends the attempt as abandoned when the rule holds, and tells the student's page and the proctors. */
export async function endIfAbandoned(db: Db, attemptId: string, publish: HallPublisher): Promise<boolean> {
  const a = await abandonIfLeft(db, attemptId);
  if (!a) return false;
  // Only after commit; nothing to grade.
  publish.ended(a.id, a.status, 'abandoned');
  const [row] = await hallRows(db, a.examId, a.participantId);
  if (row) publish.row(a.examId, row);
  return true;
}
