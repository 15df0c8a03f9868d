// SQL of proctoring signals (alerts) and the attempt's risk score.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AlertAction } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, exams, proctoringEvents, type ProctoringEvent } from '../../db/schema/index.ts';

type Q = Db | Tx;

/**
 * How many alerts of each type the attempt has, dismissed ones left out; `weighted` sums each
 * alert's confidence (1 when it has none), `confidence` is the mean of those that have one.
 */
export async function countsByType(
  db: Q,
  attemptId: string,
): Promise<{ type: string; count: number; weighted: number; confidence: number | null }[]> {
  return db
    .select({
      type: proctoringEvents.type,
      count: sql<number>`count(*)::int`,
      weighted: sql<number>`sum(coalesce(${proctoringEvents.confidence}, 1))::float8`,
      confidence: sql<number | null>`avg(${proctoringEvents.confidence})::float8`,
    })
    .from(proctoringEvents)
    .where(and(eq(proctoringEvents.attemptId, attemptId), sql`${proctoringEvents.reviewStatus} <> 'dismissed'`))
    .groupBy(proctoringEvents.type);
}

export async function setRiskScore(db: Q, attemptId: string, score: number) {
  await db.update(attempts).set({ riskScore: score }).where(eq(attempts.id, attemptId));
}

/** Whether the exam records signals in strict mode (proctoring.strict.ts); the form offers it only when proctored. */
export async function strictMode(db: Q, examId: string): Promise<boolean> {
  const [row] = await db
    .select({
      strict: sql<boolean>`coalesce((${exams.proctoring} ->> 'enabled')::boolean and (${exams.proctoring} ->> 'strictMode')::boolean, false)`,
    })
    .from(exams)
    .where(eq(exams.id, examId));
  return row?.strict ?? false;
}

/** Stores a signal unless its clientEventId was already stored; the new row, or undefined for a repeat. */
export async function insertEvent(
  db: Q,
  values: typeof proctoringEvents.$inferInsert,
): Promise<ProctoringEvent | undefined> {
  const [event] = await db.insert(proctoringEvents).values(values).onConflictDoNothing().returning();
  return event;
}

/** Names a set of alerts (their ids) in one short value: equal sets, equal counts and risk. */
const countedKey = sql.raw(`md5(coalesce(string_agg(id::text, ',' order by id), ''))`);

export type TypeCount = { type: string; count: number; weighted: number; confidence: number | null };

/**
 * The alert path in one round trip: stores a signal unless its clientEventId was already
 * stored, with `raised` as its severity when the exam is in strict mode (else `normal`),
 * and answers the new row with the attempt's counts by type (as countsByType, the new
 * alert included). The event is committed when this answers. undefined for a repeat.
 */
export async function insertEventCounted(
  db: Q,
  v: {
    attemptId: string;
    examId: string;
    userId: string;
    type: string;
    normal: string;
    raised: string;
    details: Record<string, unknown>;
    confidence: number | null;
    clientEventId: string | null;
  },
): Promise<{ event: ProctoringEvent; counts: TypeCount[]; counted: string } | undefined> {
  // A data-modifying CTE's rows are seen only through its RETURNING, so the counts add
  // the new row (`ins`) to the stored ones.
  const res = await db.execute<{
    id: string;
    severity: ProctoringEvent['severity'];
    details: Record<string, unknown>;
    confidence: number | null;
    occurred_at: string | Date;
    review_status: ProctoringEvent['reviewStatus'];
    created_at: string | Date;
    counts: TypeCount[];
    counted: string;
  }>(sql`
    with ins as (
      insert into proctoring_events (attempt_id, exam_id, user_id, type, severity, details, confidence, client_event_id)
      select ${v.attemptId}, ${v.examId}, ${v.userId}, ${v.type},
             (case when coalesce((select (x.proctoring ->> 'enabled')::boolean and (x.proctoring ->> 'strictMode')::boolean
                                    from exams x where x.id = ${v.examId}), false)
                   then ${v.raised} else ${v.normal} end)::proctoring_severity,
             ${JSON.stringify(v.details)}::jsonb, ${v.confidence}::real, ${v.clientEventId}
      on conflict do nothing
      returning id, type, severity, details, confidence, occurred_at, review_status, created_at
    ), counted as (
      select id, type, confidence from proctoring_events
       where attempt_id = ${v.attemptId} and review_status <> 'dismissed'
      union all
      select id, type, confidence from ins where review_status <> 'dismissed'
    )
    select ins.id, ins.severity, ins.details, ins.confidence, ins.occurred_at, ins.review_status, ins.created_at,
           (select coalesce(json_agg(json_build_object('type', c.type, 'count', c.count,
                                                       'weighted', c.weighted, 'confidence', c.confidence)), '[]')
              from (select type, count(*)::int as count, sum(coalesce(confidence, 1))::float8 as weighted,
                           avg(confidence)::float8 as confidence
                      from counted group by type) c) as counts,
           (select ${countedKey} from counted) as counted
      from ins`);
  const r = res.rows[0];
  if (!r) return undefined;
  const date = (d: string | Date) => (d instanceof Date ? d : new Date(d));
  return {
    event: {
      id: r.id,
      attemptId: v.attemptId,
      examId: v.examId,
      userId: v.userId,
      type: v.type,
      severity: r.severity,
      details: r.details,
      confidence: r.confidence,
      clientEventId: v.clientEventId,
      occurredAt: date(r.occurred_at),
      reviewStatus: r.review_status,
      reviewedBy: null,
      reviewedAt: null,
      reviewNote: null,
      action: null,
      actionBy: null,
      actionAt: null,
      createdAt: date(r.created_at),
    },
    counts: r.counts,
    counted: r.counted,
  };
}

/**
 * Stores the risk score computed from insertEventCounted's counts unless the alerts they
 * counted changed since (another signal or a review in between; `counted` names them):
 * then nothing is written and the caller recounts. Answers whether it was written.
 */
export async function setRiskScoreIfUnchanged(db: Q, attemptId: string, score: number, counted: string) {
  const res = await db.execute(sql`
    update attempts set risk_score = ${score}
     where id = ${attemptId}
       and (select ${countedKey} from proctoring_events
             where attempt_id = ${attemptId} and review_status <> 'dismissed') = ${counted}`);
  return (res.rowCount ?? 0) > 0;
}

export async function findEvent(db: Q, eventId: string): Promise<ProctoringEvent | undefined> {
  const [event] = await db.select().from(proctoringEvents).where(eq(proctoringEvents.id, eventId));
  return event;
}

/** The exam of each given alert that exists. */
export async function examsOfEvents(db: Q, eventIds: string[]) {
  return db
    .select({ id: proctoringEvents.id, examId: proctoringEvents.examId })
    .from(proctoringEvents)
    .where(inArray(proctoringEvents.id, eventIds));
}

export interface Review {
  reviewStatus: 'acknowledged' | 'dismissed' | 'flagged';
  reviewedBy: string;
  reviewedAt: Date;
  reviewNote: string | null;
}

/** Sets the review of the given alerts; the updated rows. */
export async function reviewEvents(tx: Tx, eventIds: string[], review: Review): Promise<ProctoringEvent[]> {
  return tx.update(proctoringEvents).set(review).where(inArray(proctoringEvents.id, eventIds)).returning();
}

/** Records what was done about an alert of this attempt; undefined when the alert is not the attempt's. */
export async function setAction(
  tx: Tx,
  eventId: string,
  attemptId: string,
  action: AlertAction,
  by: string,
): Promise<ProctoringEvent | undefined> {
  const [row] = await tx
    .update(proctoringEvents)
    .set({ action, actionBy: by, actionAt: new Date() })
    .where(and(eq(proctoringEvents.id, eventId), eq(proctoringEvents.attemptId, attemptId)))
    .returning();
  return row;
}
