// The attempt-level proctoring review (seed 003). Reviewers (whoever may watch the exam's
// hall: its teachers, its course's proctors, admins) list the attempts that need a decision,
// read one attempt's trail, record approved / flagged / rejected with a note and what was
// done about each alert. The student sees the decision and may appeal once; the exam's
// teachers (not proctors) resolve the appeal. Every change is audited in its transaction.
import type {
  AlertAction,
  AppealBody,
  AppealDto,
  AttemptAlert,
  AttemptTrail,
  ResolveAppealBody,
  ReviewDecisionBody,
  ReviewQueue,
  StudentReview,
} from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { AppError, conflict, notFound } from '../../http/errors.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import { keyedHash } from '../../lib/crypto.ts';
import type { Caller } from '../../policy/actor.ts';
import { manages, ownsAttempt, type AttemptPrincipal } from '../../policy/access.ts';
import { accessFacts } from '../../policy/access.sql.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { CertificateJobs } from '../certificates/certificates.jobs.ts';
import { loadExamFor, loadWatchableExam } from '../exams/exams.service.ts';
import type { ProctoringService } from '../proctoring/proctoring.service.ts';
import * as repo from './review.repository.ts';
import { alertDto, appealDto, buildTrail } from './review.trail.ts';
import { attachEvidence } from '../camera/evidence.repository.ts';

/** Statuses of an attempt that is over: only those are reviewed. */
const ENDED = new Set(['submitted', 'expired', 'invalidated', 'abandoned']);

export function createReviewService(deps: {
  db: Db;
  secret: string;
  proctoring: ProctoringService;
  certificates: CertificateJobs;
}) {
  const { db, secret, proctoring, certificates } = deps;

  /** The attempt, if the caller may review it (may watch its exam's hall): else 403 / 404. */
  async function reviewable(caller: Caller, attemptId: string) {
    const row = await repo.findAttempt(db, attemptId);
    // The route lets only proctors, teachers and admins in; which attempts is the hall's rule.
    if (!row) throw notFound('Attempt');
    await loadWatchableExam(db, caller.actor, row.exam.id).catch((e) => {
      throw e instanceof AppError && e.status === 404 ? notFound('Attempt') : e;
    });
    return row;
  }

  async function trailOf(caller: Caller, row: repo.ReviewedAttempt): Promise<AttemptTrail> {
    const a = row.attempt;
    const [alerts, appeal, reviewer] = await Promise.all([
      repo.alertsOf(db, a.id),
      repo.appealOf(db, a.id),
      repo.reviewerName(db, a.reviewedBy),
    ]);
    const auditRows = await repo.auditOf(
      db,
      a.id,
      alerts.map((x) => x.id),
      appeal?.id ?? null,
    );
    const { trail, endedAt } = buildTrail(row, alerts, auditRows);
    const canResolve = await manages(
      caller.actor,
      { ownerId: row.exam.createdBy, courseId: row.exam.courseId },
      accessFacts(db),
    );
    return {
      attempt: {
        id: a.id,
        examId: row.exam.id,
        examTitle: row.exam.title,
        studentName: row.studentName,
        attemptNumber: a.attemptNumber,
        status: a.status,
        riskScore: a.riskScore,
        reviewRiskThreshold: row.exam.reviewRiskThreshold,
        manualReviewRequired: a.manualReviewRequired,
        reviewStatus: a.reviewStatus,
        reviewNote: a.reviewNote,
        reviewedBy: reviewer,
        reviewedAt: a.reviewedAt?.toISOString() ?? null,
        endedAt: endedAt?.toISOString() ?? null,
      },
      // Each alert with its evidence frame, if the exam keeps them.
      alerts: await attachEvidence(db, alerts.map(alertDto)),
      appeal: appeal ? appealDto(appeal) : null,
      trail,
      canResolve,
    };
  }

  /** A decision or resolution can change whether the attempt has a certificate: evaluate it again. */
  const reevaluate = (attemptId: string) => bestEffort(certificates.evaluate(attemptId), 1000);

  return {
    async queue(caller: Caller, examId: string): Promise<ReviewQueue> {
      const exam = await loadWatchableExam(db, caller.actor, examId);
      const rows = await repo.queue(db, examId);
      return {
        examId,
        examTitle: exam.title,
        reviewRiskThreshold: exam.reviewRiskThreshold,
        attempts: rows.map((r) => ({
          attemptId: r.attemptId,
          studentName: r.studentName,
          attemptNumber: r.attemptNumber,
          status: r.status,
          riskScore: r.riskScore,
          manualReviewRequired: r.manualReviewRequired,
          reviewStatus: r.reviewStatus,
          reviewedAt: r.reviewedAt?.toISOString() ?? null,
          endedAt: r.submittedAt?.toISOString() ?? null,
          alertCount: r.alertCount,
          appealStatus: r.appealStatus,
        })),
      };
    },

    async trail(caller: Caller, attemptId: string): Promise<AttemptTrail> {
      return trailOf(caller, await reviewable(caller, attemptId));
    },

    /**
     * Approved, flagged or rejected, with a note the student reads. Only for an attempt that is
     * over; once the student appealed, the appeal's resolution is the last word (409).
     */
    async decide(caller: Caller, attemptId: string, body: ReviewDecisionBody): Promise<AttemptTrail> {
      await reviewable(caller, attemptId);
      const changed = await db.transaction(async (tx) => {
        const row = await repo.findAttempt(tx, attemptId, { forUpdate: true });
        if (!row) throw notFound('Attempt');
        if (!ENDED.has(row.attempt.status)) {
          throw conflict(`This attempt is ${row.attempt.status.replace('_', ' ')}: review it once it has ended.`);
        }
        const appeal = await repo.appealOf(tx, attemptId);
        if (appeal) {
          throw conflict(
            appeal.status === 'open'
              ? 'The student has appealed this decision: resolve the appeal instead.'
              : 'The appeal against this decision was resolved; the decision is final.',
          );
        }
        await repo.setDecision(tx, attemptId, {
          status: body.status,
          note: body.note ?? null,
          by: caller.actor.userId,
        });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'review.decide',
          targetType: 'attempt',
          targetId: attemptId,
          details: { status: body.status, previous: row.attempt.reviewStatus },
        });
        return row.attempt.reviewStatus !== body.status;
      });
      if (changed) await reevaluate(attemptId);
      return trailOf(caller, (await repo.findAttempt(db, attemptId))!);
    },

    /** What was done about one alert (ignored, warning sent, session flagged, terminated). */
    async alertAction(caller: Caller, eventId: string, action: AlertAction): Promise<AttemptAlert> {
      const alert = await repo.findAlert(db, eventId);
      if (!alert) throw notFound('Alert');
      const row = await reviewable(caller, alert.attemptId).catch((e) => {
        throw e instanceof AppError && e.status === 404 ? notFound('Alert') : e;
      });
      if (action === 'session_terminated' && row.attempt.status !== 'invalidated') {
        throw conflict('This attempt was not terminated: terminate it from the live hall, which records this action.');
      }
      await db.transaction((tx) => proctoring.recordAction(tx, caller, eventId, alert.attemptId, action));
      const alerts = await repo.alertsOf(db, alert.attemptId);
      return (await attachEvidence(db, [alertDto(alerts.find((x) => x.id === eventId)!)]))[0]!;
    },

    /** The exam's teachers and admins (not proctors) settle the student's appeal. */
    async resolveAppeal(caller: Caller, attemptId: string, body: ResolveAppealBody): Promise<AppealDto> {
      const row = await repo.findAttempt(db, attemptId);
      if (!row) throw notFound('Attempt');
      await loadExamFor(db, caller.actor, row.exam.id).catch((e) => {
        throw e instanceof AppError && e.status === 404 ? notFound('Attempt') : e;
      });
      const resolved = await db.transaction(async (tx) => {
        await repo.findAttempt(tx, attemptId, { forUpdate: true });
        const appeal = await repo.resolveAppeal(tx, attemptId, {
          outcome: body.outcome,
          note: body.note,
          by: caller.actor.userId,
        });
        if (!appeal) {
          const existing = await repo.appealOf(tx, attemptId);
          throw existing ? conflict('This appeal has already been resolved.') : notFound('Appeal');
        }
        if (body.outcome === 'overturned') {
          await repo.setDecision(tx, attemptId, {
            status: 'approved',
            note: row.attempt.reviewNote,
            by: caller.actor.userId,
          });
        }
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'review.appeal_resolved',
          targetType: 'attempt_appeal',
          targetId: appeal.id,
          details: { attemptId, outcome: body.outcome },
        });
        return appeal;
      });
      if (body.outcome === 'overturned') await reevaluate(attemptId);
      return appealDto(resolved);
    },

    /** What the student sees: the decision and its note once taken, and their appeal. */
    async mine(who: AttemptPrincipal, attemptId: string): Promise<StudentReview> {
      const row = await repo.findAttempt(db, attemptId);
      if (!row || !ownsAttempt(who, row.attempt)) throw notFound('Attempt');
      const a = row.attempt;
      const appeal = await repo.appealOf(db, attemptId);
      const decided = a.reviewStatus !== null && a.reviewStatus !== 'pending';
      return {
        attemptId,
        reviewStatus: a.reviewStatus,
        note: decided ? a.reviewNote : null,
        decidedAt: decided ? (a.reviewedAt?.toISOString() ?? null) : null,
        canAppeal: !appeal && (a.reviewStatus === 'flagged' || a.reviewStatus === 'rejected'),
        appeal: appeal ? appealDto(appeal) : null,
      };
    },

    /**
     * The student's one appeal against a flag or a rejection. Of two sent at once exactly one
     * is stored (the attempt row lock, and the unique index behind it); the other gets 409.
     */
    async appeal(
      who: AttemptPrincipal,
      from: { ip: string; requestId?: string },
      attemptId: string,
      body: AppealBody,
    ): Promise<AppealDto> {
      const found = await repo.findAttempt(db, attemptId);
      if (!found || !ownsAttempt(who, found.attempt)) throw notFound('Attempt');
      return db.transaction(async (tx) => {
        const row = (await repo.findAttempt(tx, attemptId, { forUpdate: true }))!;
        const status = row.attempt.reviewStatus;
        if (status !== 'flagged' && status !== 'rejected') {
          throw conflict('Only a flagged or rejected attempt can be appealed.');
        }
        const appeal = await repo.insertAppeal(tx, { attemptId, userId: row.attempt.userId, message: body.message });
        if (!appeal) throw conflict('You have already appealed this decision; an attempt can be appealed once.');
        await audit.record(
          tx,
          {
            actorId: row.attempt.userId,
            actorRole: who.actor?.role ?? 'student',
            ipHash: keyedHash(secret, 'ip', from.ip),
            requestId: from.requestId ?? null,
          },
          { action: 'review.appeal', targetType: 'attempt', targetId: attemptId, details: { appealId: appeal.id } },
        );
        return appealDto(appeal);
      });
    },
  };
}
export type ReviewService = ReturnType<typeof createReviewService>;
