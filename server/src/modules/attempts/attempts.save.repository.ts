// SQL of autosave (attempts.save.ts): the answer upsert under the sequence rule, and
// why a save wrote nothing.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, attempts } from '../../db/schema/index.ts';
import { SAVE_GRACE_SECONDS } from './attempts.live.repository.ts';

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
