// SQL of the proctor's side of the hall (hall.service.ts, hall.rows.ts): the roster,
// the attempts a proctor acts on, and the exam's recent alerts.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { MIN_SECONDS_LEFT_AFTER_TAKING, type AttemptStatus, type HallRow } from '@exam-hall/protocol';
import { poolOf, type Db, type Tx } from '../../db/client.ts';
import { attempts, proctoringEvents, type Attempt } from '../../db/schema/index.ts';
import { summaryOf } from '../attempts/attempts.accommodation.ts';

export async function attemptById(db: Db, attemptId: string): Promise<Attempt | undefined> {
  const [a] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
  return a;
}

export function examsAndParticipantsOf(db: Db, attemptIds: string[]) {
  return db
    .select({ examId: attempts.examId, participantId: attempts.participantId })
    .from(attempts)
    .where(inArray(attempts.id, attemptIds));
}

/** The exam's latest proctoring events, newest first. */
export function recentAlerts(db: Db, examId: string, limit = 200) {
  return db
    .select()
    .from(proctoringEvents)
    .where(eq(proctoringEvents.examId, examId))
    .orderBy(sql`${proctoringEvents.occurredAt} desc`)
    .limit(limit);
}

/**
 * Moves a running (or paused) attempt's deadline by `minutes`. Taking time away never
 * leaves less than a minute on the clock: counted from now for a running attempt, from
 * when the clock stopped for a paused one. Answers the row, or undefined when refused.
 */
export async function extendAttempt(tx: Tx, attemptId: string, minutes: number): Promise<Attempt | undefined> {
  const leavesEnoughTime = sql`${attempts.deadlineAt} + make_interval(mins => ${minutes}) >= coalesce(${attempts.pausedAt}, now()) + make_interval(secs => ${MIN_SECONDS_LEFT_AFTER_TAKING})`;
  const [updated] = await tx
    .update(attempts)
    .set({
      extraSeconds: sql`${attempts.extraSeconds} + ${minutes * 60}`,
      deadlineAt: sql`${attempts.deadlineAt} + make_interval(mins => ${minutes})`,
    })
    .where(
      and(
        eq(attempts.id, attemptId),
        sql`${attempts.status} in ('in_progress', 'paused')`,
        minutes < 0 ? leavesEnoughTime : undefined,
      ),
    )
    .returning();
  return updated;
}

/** The attempt's status and the whole seconds left on its clock (stopped while paused). */
export async function secondsLeft(tx: Tx, attemptId: string) {
  const [row] = await tx
    .select({
      status: attempts.status,
      left: sql<number>`floor(extract(epoch from ${attempts.deadlineAt} - coalesce(${attempts.pausedAt}, now())))::int`,
    })
    .from(attempts)
    .where(eq(attempts.id, attemptId));
  return row;
}

/** What the student is told while paused; kept on the row so a reload shows it too. Answers the row. */
export async function setPauseReason(tx: Tx, attemptId: string, reason: string | null): Promise<Attempt> {
  const [row] = await tx.update(attempts).set({ pauseReason: reason }).where(eq(attempts.id, attemptId)).returning();
  return row!;
}

/** The exam's attempts in these states, locked FOR UPDATE in id order (no deadlock between two bulks). */
export function lockAttemptsIn(tx: Tx, examId: string, statuses: AttemptStatus[]) {
  return tx
    .select({ id: attempts.id })
    .from(attempts)
    .where(and(eq(attempts.examId, examId), inArray(attempts.status, statuses)))
    .orderBy(attempts.id)
    .for('update');
}

/**
 * Answered questions per attempt, for these attempts only (the progress deltas of
 * hall.rows.ts); an attempt without answers counts 0. One index probe each
 * (answers_attempt_question_uq), none of the roster's joins.
 */
export async function answeredCounts(db: Db, attemptIds: string[]): Promise<Map<string, number>> {
  // One array parameter (sql.param: drizzle would expand a bare JS array into one per id).
  const res = await db.execute<{ attempt_id: string; answered: number }>(sql`
    select t.id as attempt_id,
           (select count(*) from answers an where an.attempt_id = t.id and an.response is not null)::int as answered
      from unnest(${sql.param(attemptIds)}::uuid[]) as t(id)`);
  return new Map(res.rows.map((r) => [r.attempt_id, r.answered]));
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
  duration_minutes: number;
  extra_time_minutes: number;
  extra_time_percent: number;
  window_starts_at: Date | string | null;
  window_ends_at: Date | string | null;
  extra_attempts: number;
  camera_state: string | null;
  camera_state_at: Date | string | null;
  face_verification_score: number | null;
};

// The roster's columns and joins, shared by the whole-exam snapshot and the few-rows update.
const ROSTER_SELECT = `
    select p.id as participant_id, p.user_id, u.name, p.email,
           a.id as attempt_id, a.status, a.deadline_at, a.paused_at, a.risk_score, a.submitted_at,
           a.camera_state, a.camera_state_at, a.face_verification_score,
           coalesce(jsonb_array_length(a.question_order), 0)::int as question_count,
           x.duration_minutes,
           p.extra_time_minutes, p.extra_time_percent, p.window_starts_at, p.window_ends_at, p.extra_attempts,
           coalesce(an.answered, 0)::int as answered,
           coalesce(pr.connections, 0)::int as connections, coalesce(pr.devices, 0)::int as devices,
           case when coalesce(pr.connections, 0) = 0 then pr.last_left end as disconnected_since,
           coalesce(ev.open_alerts, 0)::int as open_alerts
      from exam_participants p
      join users u on u.id = p.user_id
      join exams x on x.id = p.exam_id
      left join lateral (
        select * from attempts where participant_id = p.id order by attempt_number desc limit 1
      ) a on true`;
const ROSTER_ORDER = 'order by u.name, p.email';

/**
 * Some rows (a live update after a claim, a begin, a join...): index probes per row. One
 * or a few rows go as a named prepared statement: unnamed, PostgreSQL parsed and planned it
 * on every call, about 2-3 ms at 5,000 students against 0.15 ms to run it. A batch (a
 * second of an exam's joins) goes unnamed, planned for the table as it is now: a plan cached
 * while presence was small (an exam's start fills it by thousands of rows in seconds)
 * scans all of presence per row, 0.62 instead of 0.02 ms of PostgreSQL per row, 650 ms for
 * a batch of 1,000 ([scale] issue #16).
 */
const FEW_ROWS = 10;
const SOME_ROWS = {
  name: 'hall_rows_some',
  text: `${ROSTER_SELECT}
      left join lateral (select count(*) as answered from answers
                          where attempt_id = a.id and response is not null) an on true
      left join lateral (select count(*) filter (where left_at is null) as connections,
                                count(distinct device_id) filter (where left_at is null) as devices,
                                max(left_at) as last_left
                           from presence where attempt_id = a.id) pr on true
      left join lateral (select count(*) as open_alerts from proctoring_events
                          where attempt_id = a.id and review_status = 'open') ev on true
     where p.exam_id = $1 and p.id = any($2::uuid[])
     ${ROSTER_ORDER}`,
};

/**
 * The proctor's roster in one query: every participant with their latest attempt,
 * answered count, open connections and devices, and open alerts. `participantIds`
 * narrows it to some rows (for live updates).
 */
export async function hallRows(db: Db, examId: string, participantIds?: string | string[]): Promise<HallRow[]> {
  let res: { rows: RawRow[] };
  if (participantIds !== undefined) {
    const ids = typeof participantIds === 'string' ? [participantIds] : participantIds;
    if (!ids.length) return [];
    const values = [examId, ids];
    res = await poolOf(db).query<RawRow>(
      ids.length <= FEW_ROWS ? { ...SOME_ROWS, values } : { text: SOME_ROWS.text, values },
    );
  } else {
    // The whole exam (a proctor's snapshot): the counts come from one grouped pass over the
    // exam's answers, presence and open alerts, joined by attempt (hash joins), instead of
    // three index probes per participant.
    const ofExam = sql`(select id from attempts where exam_id = ${examId})`;
    const roster = sql`${sql.raw(ROSTER_SELECT)}
      left join (select attempt_id, count(*) as answered from answers
                  where attempt_id in ${ofExam} and response is not null group by 1) an on an.attempt_id = a.id
      left join (select attempt_id, count(*) filter (where left_at is null) as connections,
                        count(distinct device_id) filter (where left_at is null) as devices, max(left_at) as last_left
                   from presence where attempt_id in ${ofExam} group by 1) pr on pr.attempt_id = a.id
      left join (select attempt_id, count(*) as open_alerts from proctoring_events
                  where exam_id = ${examId} and review_status = 'open' group by 1) ev on ev.attempt_id = a.id
     where p.exam_id = ${examId}
     ${sql.raw(ROSTER_ORDER)}`;
    // The whole exam's plan costs enough for PostgreSQL's JIT, whose compiling took 85 % of
    // the statement's 730 ms at 10,000 students (scripts/bench-hall-snapshot.ts --explain)
    // for about 100 ms of work: off for this statement only.
    res = await db.transaction(async (tx) => {
      await tx.execute(sql`set local jit = off`);
      return tx.execute<RawRow>(roster);
    });
  }
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
    accommodation: summaryOf(
      { durationMinutes: r.duration_minutes },
      {
        extraTimeMinutes: r.extra_time_minutes,
        extraTimePercent: r.extra_time_percent,
        windowStartsAt: r.window_starts_at ? new Date(r.window_starts_at) : null,
        windowEndsAt: r.window_ends_at ? new Date(r.window_ends_at) : null,
        extraAttempts: r.extra_attempts,
      },
    ),
    camera:
      r.camera_state && r.camera_state_at
        ? {
            state: r.camera_state as NonNullable<HallRow['camera']>['state'],
            at: iso(r.camera_state_at)!,
            faceVerificationScore: r.face_verification_score,
          }
        : null,
  }));
}

function iso(d: Date | string | null): string | null {
  if (!d) return null;
  return (d instanceof Date ? d : new Date(d)).toISOString();
}
