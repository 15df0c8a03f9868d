// The attempt state machine. Every status change of an attempt goes through
// `transitionAttempt`: one conditional UPDATE whose WHERE names the states the
// change may come from, so two racing callers cannot both succeed.
//
//   not_started -> in_progress <-> paused -> submitted | expired | abandoned | invalidated
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AttemptStatus } from '@exam-hall/protocol';
import type { Tx, Db } from '../../db/client.ts';
import { attempts, exams, type Attempt } from '../../db/schema/index.ts';
import { AppError } from '../../http/errors.ts';

const FROM: Record<AttemptStatus, readonly AttemptStatus[]> = {
  not_started: [],
  in_progress: ['not_started', 'paused'],
  paused: ['in_progress'],
  submitted: ['in_progress', 'paused'],
  expired: ['in_progress', 'paused'],
  abandoned: ['not_started', 'in_progress', 'paused'],
  invalidated: ['not_started', 'in_progress', 'paused', 'submitted', 'expired', 'abandoned'],
};

export function allowedFrom(to: AttemptStatus): readonly AttemptStatus[] {
  return FROM[to];
}

export function canTransition(from: AttemptStatus, to: AttemptStatus): boolean {
  return FROM[to].includes(from);
}

export interface TransitionOptions {
  /** Seconds the attempt lasts, counted from now: needed when starting. */
  durationSeconds?: number;
  /** Latest moment the deadline may fall on (the exam window's end). */
  notAfter?: Date | null;
  reason?: string;
  /**
   * Only if the attempt is running and its deadline (plus this many seconds of grace)
   * has passed: for expiry. A paused attempt's clock is stopped, so it never expires.
   */
  onlyIfDueWithGraceSeconds?: number;
  /** Narrows the states the move may come from (e.g. closing a lobby must never end a running attempt). */
  onlyFrom?: readonly AttemptStatus[];
}

/**
 * An attempt that ends (submitted, expired, terminated) with a risk score at or above its
 * exam's review threshold needs a reviewer's decision: flagged here, in the same UPDATE, so
 * no ended attempt escapes it. A decision already taken is never put back to pending.
 */
function reviewOnEnd() {
  const risky = sql`${attempts.riskScore} >= (select ${exams.reviewRiskThreshold} from ${exams} where ${exams.id} = ${attempts.examId})`;
  return {
    manualReviewRequired: sql`${attempts.manualReviewRequired} or ${risky}`,
    reviewStatus: sql`case when ${attempts.reviewStatus} is null and ${risky} then 'pending'::attempt_review_status else ${attempts.reviewStatus} end`,
  };
}

/** The column changes that go with entering a state, computed in SQL from the row itself. */
function changesFor(to: AttemptStatus, o: TransitionOptions) {
  const now = sql`now()`;
  switch (to) {
    case 'in_progress':
      return {
        // Starting sets the clock; resuming pushes the deadline by the time spent paused.
        startedAt: sql`coalesce(${attempts.startedAt}, ${now})`,
        deadlineAt: sql`case when ${attempts.status} = 'paused'
            then ${attempts.deadlineAt} + (${now} - ${attempts.pausedAt})
            else least(${now} + make_interval(secs => ${o.durationSeconds ?? 0}), coalesce(${o.notAfter ?? null}::timestamptz, 'infinity'))
          end`,
        pausedTotalSeconds: sql`${attempts.pausedTotalSeconds} + case when ${attempts.status} = 'paused'
            then extract(epoch from ${now} - ${attempts.pausedAt})::int else 0 end`,
        pausedAt: sql`null`,
      };
    case 'paused':
      return { pausedAt: now };
    case 'submitted':
    case 'expired':
      return { submittedAt: now, pausedAt: sql`null`, endedReason: o.reason ?? to, ...reviewOnEnd() };
    case 'invalidated':
      return { endedReason: o.reason ?? to, pausedAt: sql`null`, ...reviewOnEnd() };
    case 'abandoned':
      return { endedReason: o.reason ?? to, pausedAt: sql`null` };
    default:
      return {};
  }
}

/**
 * Moves an attempt to `to` if its current state allows it; answers the updated row.
 * Throws 409 `invalid_transition` when the attempt is missing or in a state the move
 * cannot come from (for example a second submit).
 */
export async function transitionAttempt(
  db: Db | Tx,
  attemptId: string,
  to: AttemptStatus,
  options: TransitionOptions = {},
): Promise<Attempt> {
  // Starting needs a duration; without one this can only be a resume from paused.
  const allowed = to === 'in_progress' && options.durationSeconds === undefined ? (['paused'] as const) : FROM[to];
  const from = options.onlyFrom ? allowed.filter((s) => options.onlyFrom!.includes(s)) : allowed;
  const [row] = await db
    .update(attempts)
    .set({ status: to, lastActivityAt: sql`now()`, ...changesFor(to, options) })
    .where(
      and(
        eq(attempts.id, attemptId),
        inArray(attempts.status, [...from]),
        options.onlyIfDueWithGraceSeconds === undefined
          ? undefined
          : sql`${attempts.status} = 'in_progress' and ${attempts.deadlineAt} + make_interval(secs => ${options.onlyIfDueWithGraceSeconds}) <= now()`,
      ),
    )
    .returning();
  if (!row) {
    const [current] = await db.select({ status: attempts.status }).from(attempts).where(eq(attempts.id, attemptId));
    throw new AppError(
      409,
      'invalid_transition',
      current
        ? `This attempt is ${current.status.replace('_', ' ')} and cannot become ${to.replace('_', ' ')}.`
        : 'This attempt does not exist.',
    );
  }
  return row;
}
