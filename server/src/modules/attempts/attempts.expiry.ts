// At the deadline an attempt ends exactly once, whether or not a browser is there:
// a BullMQ delayed job per deadline, plus a periodic sweep for anything the jobs
// missed (Redis flushed, a deadline moved while no job was queued). Both go through
// the state machine with a "deadline has passed" condition, so a late, repeated or
// racing expiry is a no-op, and an extension made in between wins.
import { and, eq, sql } from 'drizzle-orm';
import type { Queue } from 'bullmq';
import type { Db } from '../../db/client.ts';
import { attempts } from '../../db/schema/index.ts';
import { AppError } from '../../http/errors.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import type { ExpiryScheduler } from '../hall/hall.service.ts';
import { hallRows, SAVE_GRACE_SECONDS } from '../hall/hall.repository.ts';
import { transitionAttempt } from './attempts.state.ts';
import type { GradingQueue } from '../grading/grading.service.ts';
import * as audit from '../audit/audit.service.ts';

export const ATTEMPTS_QUEUE = 'attempts';

/** Ends the attempt if its deadline (plus the save grace) has passed; answers whether it did. */
export async function expireIfDue(
  db: Db,
  attemptId: string,
  publish: HallPublisher,
  grading?: GradingQueue,
): Promise<boolean> {
  try {
    const a = await transitionAttempt(db, attemptId, 'expired', {
      reason: 'time_up',
      onlyIfDueWithGraceSeconds: SAVE_GRACE_SECONDS,
    });
    await audit.record(
      db,
      { actorRole: 'system' },
      { action: 'attempt.expired', targetType: 'attempt', targetId: a.id },
    );
    publish.ended(a.id, a.status, 'time_up');
    const [row] = await hallRows(db, a.examId, a.participantId);
    if (row) publish.row(a.examId, row);
    await grading?.enqueue(a.id);
    return true;
  } catch (e) {
    if (e instanceof AppError && e.code === 'invalid_transition') return false;
    throw e;
  }
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
    .limit(limit);
  let ended = 0;
  for (const { id } of due) if (await expireIfDue(db, id, publish, grading)) ended++;
  return ended;
}

/** Queues one delayed job per (attempt, deadline); a moved deadline queues another. */
export function queueExpiryScheduler(queue: Queue): ExpiryScheduler {
  return {
    async schedule(attemptId, deadlineAt) {
      const runAt = deadlineAt.getTime() + SAVE_GRACE_SECONDS * 1000 + 250;
      await queue.add(
        'attempt.expire',
        { attemptId },
        {
          delay: Math.max(0, runAt - Date.now()),
          jobId: `expire-${attemptId}-${deadlineAt.getTime()}`,
          removeOnComplete: true,
          removeOnFail: 1000,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
        },
      );
    },
  };
}
