// A teacher's view of an exam's results: the table of ended attempts, its CSV, item
// statistics, releasing held-back results, and correcting a score by hand. Only the
// exam's teacher or an admin (loadExamFor: 404 for anyone else).
import type {
  ExamResults,
  QuestionStatsResponse,
  ResultRow,
  ResultsReleased,
  ScoreOverride,
  ScoreOverridden,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import type { Exam } from '../../db/schema/index.ts';
import { AppError, badRequest, conflict, notFound } from '../../http/errors.ts';
import { toCsv } from '../../lib/csv.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { CertificateJobs } from '../certificates/certificates.jobs.ts';
import { loadExamFor } from '../exams/exams.service.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import type { LtiGradeJobs } from '../lti/lti.jobs.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import { choiceTally, isManuallyGraded, typedAnswerText } from '../questions/types/index.ts';
import * as repo from './results.repository.ts';
import { itemAnalysis, summarize } from './results.stats.ts';

/** Rounds to cents like the numeric(10,2) columns. */
const cents = (n: number) => Math.round(n * 100) / 100;

function toRow(r: repo.EndedAttemptRow, certificate: ResultRow['certificate'] | undefined): ResultRow {
  const a = r.attempt;
  return {
    attemptId: a.id,
    userId: a.userId,
    name: r.name,
    email: r.email,
    attemptNumber: a.attemptNumber,
    status: a.status as ResultRow['status'],
    submittedAt: a.submittedAt?.toISOString() ?? null,
    gradedAt: a.gradedAt?.toISOString() ?? null,
    score: a.score,
    maxScore: a.maxScore,
    percentage: a.percentage,
    passed: a.passed,
    riskScore: a.riskScore,
    overridden: a.gradedBy !== null || a.scoreOverriddenAt !== null,
    overrideReason: a.scoreOverrideReason,
    overriddenAt: a.scoreOverriddenAt?.toISOString() ?? null,
    certificate: certificate ?? null,
    manualPending: a.manualPending,
  };
}

/** Two queries: the attempts with their students, and their certificates. */
async function rowsOf(db: Db | Tx, examId: string, attemptIds?: string[]): Promise<ResultRow[]> {
  const [rows, certs] = await Promise.all([
    repo.endedAttempts(db, examId, attemptIds),
    repo.certificatesByAttempt(db, examId, attemptIds),
  ]);
  return rows.map((r) => toRow(r, certs.get(r.attempt.id)));
}

function isGraded(r: ResultRow): r is ResultRow & { score: number; percentage: number; passed: boolean } {
  return (
    (r.status === 'submitted' || r.status === 'expired') &&
    r.gradedAt !== null &&
    // A provisional score (hand marks pending) is left out of the summary.
    !r.manualPending &&
    r.score !== null &&
    r.percentage !== null &&
    r.passed !== null
  );
}

function summaryOf(exam: Exam, rows: ResultRow[]): ExamResults['summary'] {
  return {
    count: rows.length,
    ...summarize(rows.filter(isGraded)),
    passingScore: exam.passingScore,
    resultsPolicy: exam.resultsPolicy,
    resultsReleasedAt: exam.resultsReleasedAt?.toISOString() ?? null,
  };
}

const CSV_HEADER = [
  'name',
  'email',
  'attempt',
  'status',
  'submitted_at',
  'score',
  'max_score',
  'percentage',
  'passed',
  'risk_score',
  'overridden',
  'override_reason',
  'certificate_status',
  'certificate_public_id',
] as const;

function csvOf(rows: ResultRow[]): string {
  return toCsv(
    CSV_HEADER,
    rows.map((r) => [
      r.name,
      r.email,
      r.attemptNumber,
      r.status,
      r.submittedAt,
      r.score,
      r.maxScore,
      r.percentage,
      r.passed === null ? null : r.passed ? 'yes' : 'no',
      r.riskScore,
      r.overridden ? 'yes' : 'no',
      r.overrideReason,
      r.certificate?.status ?? null,
      r.certificate?.publicId ?? null,
    ]),
  );
}

export function createResultsService(deps: {
  db: Db;
  secret: string;
  publish: HallPublisher;
  certificates: CertificateJobs;
  ltiGrades?: LtiGradeJobs;
}) {
  const { db, secret, publish, certificates, ltiGrades } = deps;

  return {
    async table(actor: Actor, examId: string): Promise<ExamResults> {
      const exam = await loadExamFor(db, actor, examId);
      const rows = await rowsOf(db, examId);
      return { summary: summaryOf(exam, rows), rows };
    },

    async exportCsv(caller: Caller, examId: string): Promise<string> {
      await loadExamFor(db, caller.actor, examId);
      const rows = await rowsOf(db, examId);
      // The file holds names and emails: who took it out is worth a record.
      await audit.record(db, auditContextOf(secret, caller), {
        action: 'results.export',
        targetType: 'exam',
        targetId: examId,
        details: { rows: rows.length },
      });
      return csvOf(rows);
    },

    /**
     * Shows students their results (exams whose policy is "on release"). Idempotent: a
     * second call changes nothing and answers the first release time.
     */
    async release(caller: Caller, examId: string): Promise<ResultsReleased> {
      const outcome = await db.transaction(async (tx) => {
        const exam = await loadExamFor(tx, caller.actor, examId, { forUpdate: true });
        if (exam.resultsReleasedAt) return { at: exam.resultsReleasedAt, already: true };
        const at = (await repo.markReleased(tx, examId))!;
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'results.release',
          targetType: 'exam',
          targetId: examId,
          details: { resultsPolicy: exam.resultsPolicy },
        });
        return { at, already: false };
      });
      let notified = 0;
      if (!outcome.already) {
        // After commit: a page that refetches on this event must find the result visible.
        for (const id of await repo.gradedAttemptIds(db, examId)) {
          publish.graded(id);
          notified++;
        }
        // The scores go to the LMS gradebook too, if the exam is placed in one.
        if (ltiGrades) await bestEffort(ltiGrades.resultsReleased(examId), 1000);
      }
      return { resultsReleasedAt: outcome.at.toISOString(), alreadyReleased: outcome.already, notified };
    },

    async questionStats(actor: Actor, examId: string): Promise<QuestionStatsResponse> {
      await loadExamFor(db, actor, examId);
      const [qs, graded, saved] = await Promise.all([
        repo.examQuestions(db, examId),
        repo.gradedAttempts(db, examId),
        repo.gradedAnswers(db, examId),
      ]);
      const given = new Set(graded.flatMap((a) => a.questionOrder));
      // Active questions, and removed ones that some graded attempt was given.
      const shown = qs.filter((q) => q.isActive || given.has(q.id));
      const tallies = new Map(shown.map((q) => [q.id, choiceTally(q)]));
      const texts = new Map(shown.map((q) => [q.id, typedAnswerText(q)]));
      const analysis = itemAnalysis(
        shown.map((q) => ({
          id: q.id,
          points: q.points,
          optionIds: tallies.get(q.id)?.options.map((o) => o.id) ?? null,
          typed: texts.get(q.id) !== null,
          manual: isManuallyGraded(q.type),
        })),
        graded.map((a) => ({ id: a.id, percentage: a.percentage!, questionIds: a.questionOrder })),
        saved.map((s) => ({
          attemptId: s.attemptId,
          questionId: s.questionId,
          answered: s.response !== null && s.response !== undefined,
          pointsAwarded: s.pointsAwarded,
          picks: tallies.get(s.questionId)?.picks(s.response) ?? [],
          text: texts.get(s.questionId)?.(s.response) ?? null,
          handMark: s.manualPoints,
          awaitingMark: s.needsManual,
        })),
      );
      return {
        gradedAttempts: analysis.gradedAttempts,
        discrimination: {
          available: analysis.discriminationAvailable,
          groupSize: analysis.groupSize,
          reason: analysis.reason,
        },
        questions: shown.map((q) => {
          const f = analysis.questions.get(q.id)!;
          const tally = tallies.get(q.id);
          return {
            questionId: q.id,
            position: q.position,
            type: q.type,
            prompt: q.prompt,
            points: q.points,
            active: q.isActive,
            attempts: f.attempts,
            answered: f.answered,
            facility: f.facility,
            discrimination: f.discrimination,
            options: tally ? tally.options.map((o) => ({ ...o, count: f.optionCounts?.get(o.id) ?? 0 })) : null,
            answers: f.topAnswers,
            handMarks: f.handMarks,
          };
        }),
      };
    },

    /**
     * Sets a graded attempt's score by hand. Percentage and pass are recomputed against the
     * exam's pass mark; automatic regrading leaves the score alone from then on. The
     * certificate is brought in line after commit.
     */
    async overrideScore(caller: Caller, attemptId: string, input: ScoreOverride): Promise<ScoreOverridden> {
      const examId = await repo.examOfAttempt(db, attemptId);
      if (!examId) throw notFound('Attempt');
      await db.transaction(async (tx) => {
        const exam = await loadExamFor(tx, caller.actor, examId).catch((err: unknown) => {
          // Same answer as for an unknown attempt, so attempt ids cannot be probed.
          throw err instanceof AppError && err.status === 404 ? notFound('Attempt') : err;
        });
        const a = await repo.lockAttempt(tx, attemptId);
        if (!a) throw notFound('Attempt');
        if (a.status !== 'submitted' && a.status !== 'expired') {
          throw conflict(
            `This attempt is ${a.status.replace('_', ' ')}: only submitted or expired attempts have a score.`,
          );
        }
        if (a.gradedAt === null || a.score === null || a.maxScore === null) {
          throw conflict('This attempt is not graded yet; try again in a moment.');
        }
        if (input.score > a.maxScore) {
          const message = `Score must be at most ${a.maxScore}, the attempt’s maximum`;
          throw badRequest(message, [{ path: 'body.score', message }]);
        }
        const score = cents(input.score);
        const percentage = a.maxScore > 0 ? cents((score / a.maxScore) * 100) : 0;
        const passed = percentage >= exam.passingScore;
        await repo.overrideScore(tx, a.id, {
          score,
          percentage,
          passed,
          gradedBy: caller.actor.userId,
          scoreOverrideReason: input.reason,
        });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'attempt.score_override',
          targetType: 'attempt',
          targetId: a.id,
          details: {
            examId,
            oldScore: a.score,
            newScore: score,
            maxScore: a.maxScore,
            oldPassed: a.passed,
            newPassed: passed,
            reason: input.reason,
          },
        });
      });
      // Issue, supersede or revoke the certificate for the new score; and let an open
      // student page fetch its result again.
      await certificates.evaluate(attemptId);
      publish.graded(attemptId);
      if (ltiGrades) await bestEffort(ltiGrades.resultChanged(attemptId), 1000);
      const [row] = await rowsOf(db, examId, [attemptId]);
      return { row: row! };
    },
  };
}
export type ResultsService = ReturnType<typeof createResultsService>;
