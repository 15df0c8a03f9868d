import { eq, sql } from 'drizzle-orm';
import type { HallRow } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { answers, attempts } from '../../db/schema/index.ts';

/** Saves later than the deadline by at most this much were already in flight: still accepted. */
export const SAVE_GRACE_SECONDS = 3;

/**
 * One autosave in one statement: the attempt must be in progress and within its
 * deadline (plus grace); the answer is written only if this save is newer than the
 * stored one for that question, so replays are no-ops and stale saves never win.
 * Answers the stored sequence, or null when nothing was written.
 */
export async function saveAnswer(
  db: Db,
  s: { attemptId: string; questionId: string; seq: number; response: unknown; flagged: boolean },
): Promise<{ seq: number } | null> {
  const res = await db.execute<{ seq: string }>(sql`
    with a as (
      update ${attempts}
         set last_seq = greatest(${attempts.lastSeq}, ${s.seq}), last_activity_at = now()
       where ${attempts.id} = ${s.attemptId}
         and ${attempts.status} = 'in_progress'
         and ${attempts.deadlineAt} + make_interval(secs => ${SAVE_GRACE_SECONDS}) > now()
      returning ${attempts.id} as id
    )
    insert into ${answers} (attempt_id, question_id, response, flagged, seq, answered_at, updated_at)
    select a.id, ${s.questionId}, ${s.response === null ? null : JSON.stringify(s.response)}::jsonb, ${s.flagged}, ${s.seq}, now(), now()
      from a
    on conflict (attempt_id, question_id) do update
       set response = excluded.response, flagged = excluded.flagged, seq = excluded.seq, updated_at = now()
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

export function savedAnswers(db: Db | Tx, attemptId: string) {
  return db
    .select({ questionId: answers.questionId, response: answers.response, flagged: answers.flagged, seq: answers.seq })
    .from(answers)
    .where(eq(answers.attemptId, attemptId));
}

type RawRow = {
  participant_id: string;
  user_id: string;
  name: string;
  email: string;
  attempt_id: string | null;
  status: string | null;
  answered: number;
  question_count: number;
  deadline_at: Date | null;
  paused_at: Date | null;
  connections: number;
  devices: number;
  disconnected_since: Date | null;
  risk_score: number | null;
  open_alerts: number;
  submitted_at: Date | null;
};

/**
 * The proctor's roster in one query: every participant with their latest attempt,
 * answered count, open connections and devices, and open alerts. `participantIds`
 * narrows it to some rows (for live updates).
 */
export async function hallRows(db: Db | Tx, examId: string, participantIds?: string | string[]): Promise<HallRow[]> {
  const only =
    participantIds === undefined
      ? sql``
      : sql`and p.id in (${sql.join(
          (typeof participantIds === 'string' ? [participantIds] : participantIds).map((id) => sql`${id}`),
          sql`, `,
        )})`;
  const res = await db.execute<RawRow>(sql`
    select p.id as participant_id, p.user_id, u.name, p.email,
           a.id as attempt_id, a.status, a.deadline_at, a.paused_at, a.risk_score, a.submitted_at,
           coalesce(jsonb_array_length(a.question_order), 0)::int as question_count,
           coalesce((select count(*) from answers an where an.attempt_id = a.id and an.response is not null), 0)::int as answered,
           coalesce(pr.connections, 0)::int as connections, coalesce(pr.devices, 0)::int as devices,
           case when coalesce(pr.connections, 0) = 0 then pr.last_left end as disconnected_since,
           coalesce((select count(*) from proctoring_events e where e.attempt_id = a.id and e.review_status = 'open'), 0)::int as open_alerts
      from exam_participants p
      join users u on u.id = p.user_id
      left join lateral (
        select * from attempts where participant_id = p.id order by attempt_number desc limit 1
      ) a on true
      left join lateral (
        select count(*) filter (where left_at is null) as connections,
               count(distinct device_id) filter (where left_at is null) as devices,
               max(left_at) as last_left
          from presence where attempt_id = a.id
      ) pr on true
     where p.exam_id = ${examId} ${only}
     order by u.name, p.email`);
  return res.rows.map((r) => ({
    participantId: r.participant_id,
    userId: r.user_id,
    name: r.name,
    email: r.email,
    attemptId: r.attempt_id,
    status: (r.status ?? 'not_started') as HallRow['status'],
    answered: r.answered,
    questionCount: r.question_count,
    deadlineAt: iso(r.deadline_at),
    pausedAt: iso(r.paused_at),
    connections: r.connections,
    devices: r.devices,
    disconnectedSince: iso(r.disconnected_since),
    riskScore: r.risk_score ?? 0,
    openAlerts: r.open_alerts,
    submittedAt: iso(r.submitted_at),
  }));
}

function iso(d: Date | string | null): string | null {
  if (!d) return null;
  return (d instanceof Date ? d : new Date(d)).toISOString();
}
