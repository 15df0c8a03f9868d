// SQL of the attempt review: the attempt with its exam and student, the exam's review
// list, the alerts and audit rows that make the trail, decisions and appeals.
import { aliasedTable, and, asc, desc, eq, inArray, or, sql } from 'drizzle-orm';
import { REVIEW_QUEUE_MAX, type AppealOutcome, type ReviewDecision } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { attemptAppeals, attempts, auditLogs, exams, proctoringEvents, users } from '../../db/schema/index.ts';

type Q = Db | Tx;

/** An attempt with what its review needs: the exam's owner, course, title and threshold, the student's name. */
export async function findAttempt(db: Q, attemptId: string, opts: { forUpdate?: boolean } = {}) {
  const query = db
    .select({
      attempt: attempts,
      exam: {
        id: exams.id,
        title: exams.title,
        createdBy: exams.createdBy,
        courseId: exams.courseId,
        reviewRiskThreshold: exams.reviewRiskThreshold,
      },
      studentName: users.name,
    })
    .from(attempts)
    .innerJoin(exams, eq(exams.id, attempts.examId))
    .innerJoin(users, eq(users.id, attempts.userId))
    .where(eq(attempts.id, attemptId));
  const [row] = opts.forUpdate ? await query.for('update', { of: attempts }) : await query;
  return row;
}

export type ReviewedAttempt = NonNullable<Awaited<ReturnType<typeof findAttempt>>>;

const reviewer = aliasedTable(users, 'reviewer');

export async function reviewerName(db: Q, userId: string | null) {
  if (!userId) return null;
  const [row] = await db.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, userId));
  return row ?? null;
}

/** Attempts of the exam that need or had a review: waiting ones first, then the riskiest. */
export async function queue(db: Q, examId: string) {
  return db
    .select({
      attemptId: attempts.id,
      studentName: users.name,
      attemptNumber: attempts.attemptNumber,
      status: attempts.status,
      riskScore: attempts.riskScore,
      manualReviewRequired: attempts.manualReviewRequired,
      reviewStatus: attempts.reviewStatus,
      reviewedAt: attempts.reviewedAt,
      submittedAt: attempts.submittedAt,
      updatedAt: attempts.updatedAt,
      alertCount: sql<number>`(select count(*)::int from ${proctoringEvents} where ${proctoringEvents.attemptId} = ${attempts.id})`,
      appealStatus: attemptAppeals.status,
    })
    .from(attempts)
    .innerJoin(users, eq(users.id, attempts.userId))
    .leftJoin(attemptAppeals, eq(attemptAppeals.attemptId, attempts.id))
    .where(
      and(
        eq(attempts.examId, examId),
        or(eq(attempts.manualReviewRequired, true), sql`${attempts.reviewStatus} is not null`),
      ),
    )
    .orderBy(
      sql`case when ${attempts.reviewStatus} = 'pending' or ${attemptAppeals.status} = 'open' then 0 else 1 end`,
      desc(attempts.riskScore),
      asc(users.name),
    )
    .limit(REVIEW_QUEUE_MAX);
}

/** The attempt's alerts in time order, with who recorded their action. */
export async function alertsOf(db: Q, attemptId: string) {
  return db
    .select({
      id: proctoringEvents.id,
      type: proctoringEvents.type,
      severity: proctoringEvents.severity,
      occurredAt: proctoringEvents.occurredAt,
      reviewStatus: proctoringEvents.reviewStatus,
      action: proctoringEvents.action,
      actionAt: proctoringEvents.actionAt,
      actionById: reviewer.id,
      actionByName: reviewer.name,
    })
    .from(proctoringEvents)
    .leftJoin(reviewer, eq(reviewer.id, proctoringEvents.actionBy))
    .where(eq(proctoringEvents.attemptId, attemptId))
    .orderBy(asc(proctoringEvents.occurredAt), asc(proctoringEvents.createdAt))
    .limit(1000);
}

/** Audit rows about the attempt, its alerts and its appeal, with who did it, in time order. */
export async function auditOf(db: Q, attemptId: string, eventIds: string[], appealId: string | null) {
  const targets = [and(eq(auditLogs.targetType, 'attempt'), eq(auditLogs.targetId, attemptId))];
  if (eventIds.length) {
    targets.push(and(eq(auditLogs.targetType, 'proctoring_event'), inArray(auditLogs.targetId, eventIds)));
  }
  if (appealId) targets.push(and(eq(auditLogs.targetType, 'attempt_appeal'), eq(auditLogs.targetId, appealId)));
  return db
    .select({
      action: auditLogs.action,
      targetType: auditLogs.targetType,
      targetId: auditLogs.targetId,
      details: auditLogs.details,
      createdAt: auditLogs.createdAt,
      actorId: auditLogs.actorId,
      actorName: users.name,
    })
    .from(auditLogs)
    .leftJoin(users, eq(users.id, auditLogs.actorId))
    .where(or(...targets))
    .orderBy(asc(auditLogs.createdAt), asc(auditLogs.id))
    .limit(2000);
}

export async function appealOf(db: Q, attemptId: string) {
  const [row] = await db.select().from(attemptAppeals).where(eq(attemptAppeals.attemptId, attemptId));
  return row;
}

export async function setDecision(
  tx: Tx,
  attemptId: string,
  d: { status: ReviewDecision; note: string | null; by: string },
) {
  await tx
    .update(attempts)
    .set({ reviewStatus: d.status, reviewNote: d.note, reviewedBy: d.by, reviewedAt: new Date() })
    .where(eq(attempts.id, attemptId));
}

/** The appeal, or undefined when the attempt already has one (the unique index decides between racers). */
export async function insertAppeal(tx: Tx, values: { attemptId: string; userId: string; message: string }) {
  const [row] = await tx.insert(attemptAppeals).values(values).onConflictDoNothing().returning();
  return row;
}

/** Resolves the attempt's open appeal; undefined when there is none open. */
export async function resolveAppeal(
  tx: Tx,
  attemptId: string,
  r: { outcome: AppealOutcome; note: string; by: string },
) {
  const [row] = await tx
    .update(attemptAppeals)
    .set({ status: r.outcome, resolutionNote: r.note, resolvedBy: r.by, resolvedAt: new Date() })
    .where(and(eq(attemptAppeals.attemptId, attemptId), eq(attemptAppeals.status, 'open')))
    .returning();
  return row;
}

export async function findAlert(db: Q, eventId: string) {
  const [row] = await db
    .select({ id: proctoringEvents.id, attemptId: proctoringEvents.attemptId })
    .from(proctoringEvents)
    .where(eq(proctoringEvents.id, eventId));
  return row;
}
