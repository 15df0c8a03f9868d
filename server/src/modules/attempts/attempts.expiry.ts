// At the deadline an attempt ends exactly once, whether or not a browser is there:
// a BullMQ delayed job per deadline, plus a sweep (every 15 s and at worker start,
// server/src/jobs/registry.ts) for anything the jobs missed (Redis flushed, a deadline
// moved while no job was queued): it ends overdue attempts and re-queues the jobs of
// attempts due soon. Both go through
// the state machine with a "deadline has passed" condition, so a late, repeated or
// racing expiry is a no-op, and an extension made in between wins.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { attempts, type Attempt } from '../../db/schema/index.ts';
import { AppError } from '../../http/errors.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import type { ExpiryScheduler } from './attempts.jobs.ts';
import { hallRows } from '../hall/hall.repository.ts';
import { SAVE_GRACE_SECONDS } from './attempts.live.repository.ts';
import { transitionAttempt } from './attempts.state.ts';
import type { GradingQueue } from '../grading/grading.jobs.ts';
import * as audit from '../audit/audit.service.ts';
import { sweepClosedLobbies } from './attempts.lobby.ts';
import { endIfAbandoned } from './attempts.abandon.ts';

/** Ends the attempt if its deadline (plus the save grace) has passed; answers whether it did. */
export async function expireIfDue(
  db: Db,
  attemptId: string,
  publish: HallPublisher,
  grading?: GradingQueue,
): Promise<boolean> {
  // Nobody there for the whole of its time: abandoned, not expired (the rule is in attempts.abandon.ts).
  if (await endIfAbandoned(db, attemptId, publish)) return true;
  let a: Attempt;
  try {
    // The transition and its audit row commit together: an attempt never ends unaudited.
    a = await db.transaction(async (tx) => {
      const ended = await transitionAttempt(tx, attemptId, 'expired', {
        reason: 'time_up',
        onlyIfDueWithGraceSeconds: SAVE_GRACE_SECONDS,
      });
      await audit.record(
        tx,
        { actorRole: 'system' },
        { action: 'attempt.expired', targetType: 'attempt', targetId: ended.id },
      );
      return ended;
    });
  } catch (e) {
    if (e instanceof AppError && e.code === 'invalid_transition') return false;
    throw e;
  }
  // Only after commit: nobody hears of an end that could still roll back. A lost grading
  // enqueue (Redis down right now) is picked up by the grading reconciler.
  publish.ended(a.id, a.status, 'time_up');
  const [row] = await hallRows(db, a.examId, a.participantId);
  if (row) publish.row(a.examId, row);
  await grading?.enqueue(a.id);
  return true;
}

export async function sweepExpired(
  db: Db,
  publish: HallPublisher,
  limit = 500,
  grading?: GradingQueue,
): Promise<number> {
  const due = await db
    .select({ id: attempts.id })
    .from(attempts)
    .where(
      and(
        eq(attempts.status, 'in_progress'),
        sql`${attempts.deadlineAt} + make_interval(secs => ${SAVE_GRACE_SECONDS}) <= now()`,
      ),
    )
    .orderBy(asc(attempts.deadlineAt))
    .limit(limit);
  let ended = 0;
  for (const { id } of due) if (await expireIfDue(db, id, publish, grading)) ended++;
  // Lobbies of exams that closed before they started end too, so nobody waits for an exam that is over.
  return ended + (await sweepClosedLobbies(db, publish, limit));
}

/** How far ahead the sweep re-queues expiry jobs: two sweep periods, so every deadline is seen at least once. */
export const REARM_WITHIN_SECONDS = 30;

/**
 * Queues again the expiry job of every running attempt due within `withinSeconds`
 * (the job id is per attempt and deadline, so a job still queued is left as it is).
 * A lost job is then replaced before its deadline and the attempt ends on time, not
 * at the next sweep; answers how many attempts it looked at.
 */
export async function rearmExpiries(
  db: Db,
  expiry: ExpiryScheduler,
  limit = 500,
  withinSeconds = REARM_WITHIN_SECONDS,
): Promise<number> {
  const soon = await db
    .select({ id: attempts.id, deadlineAt: attempts.deadlineAt })
    .from(attempts)
    .where(
      and(
        eq(attempts.status, 'in_progress'),
        sql`${attempts.deadlineAt} + make_interval(secs => ${SAVE_GRACE_SECONDS}) > now()`,
        sql`${attempts.deadlineAt} <= now() + make_interval(secs => ${withinSeconds})`,
      ),
    )
    .orderBy(asc(attempts.deadlineAt))
    .limit(limit);
  for (const a of soon) await expiry.schedule(a.id, a.deadlineAt!);
  return soon.length;
}

/** When an attempt's expiry job runs: just after its deadline plus the save grace. */
export const expiryRunsAt = (deadlineAt: Date): number => deadlineAt.getTime() + SAVE_GRACE_SECONDS * 1000 + 250;
