// SQL of autosave (attempts.save.ts): the answer upsert under the sequence rule, and
// why a save wrote nothing.
import { eq, sql } from 'drizzle-orm';
import { poolOf, type Db } from '../../db/client.ts';
import { attempts } from '../../db/schema/index.ts';
import { SAVE_GRACE_SECONDS } from './attempts.live.repository.ts';

export interface SaveRow {
  attemptId: string;
  questionId: string;
  seq: number;
  response: unknown;
  flagged: boolean;
  timeSpentSeconds?: number | undefined;
}

/** For each save of a batch: written, or why not (stale: a newer seq is stored; closed: not writable now). */
export type SaveOutcome = 'written' | 'stale' | 'closed';

/**
 * A batch of autosaves in ONE statement (one commit: group commit, attempts.save.ts),
 * at most one save per attempt (the batcher defers the others to the next batch, so an
 * attempt's saves apply in order). Per save, exactly the rules of a single save:
 *  - the attempt must be in progress and within its deadline plus grace; its row is
 *    locked FOR SHARE (in id order, so two batches never deadlock), so a submission or
 *    expiry either commits first (the save finds it closed) or waits for this commit:
 *    no answer is ever written into an ended attempt. No attempt row is rewritten.
 *  - the answer is written only if this save is newer than the stored one for that
 *    question, so replays are no-ops and stale saves never win;
 *  - the page's time on the question (timeSpentSeconds) is added with the write, and only
 *    then (a replay adds nothing twice); it is capped at what is left of the attempt's
 *    running time (since it started, less pauses) after the time already counted on all
 *    its answers, so the answers' times together never exceed the time the attempt has run.
 * The statement's parameters are seven arrays, so its text is the same for any batch size.
 */
export async function saveAnswers(db: Db, rows: readonly SaveRow[]): Promise<SaveOutcome[]> {
  if (new Set(rows.map((r) => r.attemptId)).size !== rows.length) {
    throw new Error('saveAnswers takes at most one save per attempt');
  }
  // Prepared (named: parsed and planned once per pooled connection). Planning this
  // statement cost more PostgreSQL CPU than running it for a batch of one, the usual batch
  // at a quiet moment.
  const res = await poolOf(db).query<{ kind: 'w' | 'a'; attempt_id: string }>({
    name: 'attempt_save_answers',
    text: SAVE_ANSWERS_SQL,
    values: [
      rows.map((r) => r.attemptId),
      rows.map((r) => r.questionId),
      rows.map((r) => (r.response === null ? null : JSON.stringify(r.response))),
      rows.map((r) => r.flagged),
      rows.map((r) => r.seq),
      rows.map((r) => r.timeSpentSeconds ?? 0),
    ],
  });
  const written = new Set<string>();
  const open = new Set<string>();
  for (const r of res.rows) (r.kind === 'w' ? written : open).add(r.attempt_id);
  return rows.map((r) => (written.has(r.attemptId) ? 'written' : open.has(r.attemptId) ? 'stale' : 'closed'));
}

// Tables and columns of schema/attempts.ts (answers, attempts); written out because a named
// prepared statement needs its text once, with no parameters interpolated.
const SAVE_ANSWERS_SQL = `
    with input as (
      select * from unnest($1::uuid[], $2::uuid[], $3::jsonb[], $4::boolean[], $5::bigint[], $6::int[])
        as t(attempt_id, question_id, response, flagged, seq, spent)
    ),
    locked as (
      select a.id, a.started_at, a.paused_total_seconds as paused
        from attempts a
       where a.id in (select attempt_id from input)
         and a.status = 'in_progress'
         and a.deadline_at + make_interval(secs => ${SAVE_GRACE_SECONDS}) > now()
       order by a.id
         for share
    ),
    writable as (
      select l.id, greatest(0, ceil(extract(epoch from now() - l.started_at))::int - l.paused
               - (select coalesce(sum(time_spent_seconds), 0) from answers where attempt_id = l.id))::int as budget
        from locked l
    ),
    written as (
      insert into answers (attempt_id, question_id, response, flagged, seq, time_spent_seconds, answered_at, updated_at)
      select i.attempt_id, i.question_id, i.response, i.flagged, i.seq, least(i.spent, w.budget), now(), now()
        from input i join writable w on w.id = i.attempt_id
       order by i.attempt_id
      on conflict (attempt_id, question_id) do update
         set response = excluded.response, flagged = excluded.flagged, seq = excluded.seq, updated_at = now(),
             time_spent_seconds = answers.time_spent_seconds + excluded.time_spent_seconds
       where answers.seq < excluded.seq
      returning attempt_id
    )
    select 'w' as kind, attempt_id from written
    union all
    select 'a' as kind, id as attempt_id from writable`;

/** One save: a batch of one (tests, scripts). Answers the stored sequence, or null when nothing was written. */
export async function saveAnswer(db: Db, s: SaveRow): Promise<{ seq: number } | null> {
  const [outcome] = await saveAnswers(db, [s]);
  return outcome === 'written' ? { seq: s.seq } : null;
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
