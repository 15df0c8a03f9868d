// Grading by hand: the queue of answers waiting for a mark, the student's answer sheet,
// one mark with feedback (and rubric marks for essays), and asking for a re-mark. Only the
// exam's teacher or an admin (loadExamFor: 404 for anyone else). With blind grading the
// student's name and email never leave the server: a stable "Candidate N" label does.
import {
  gradableAttemptStatuses,
  type AnswerSheet,
  type Candidate,
  type GradingQueue,
  type MarkInput,
  type MarkSaved,
  type RemarkInput,
  type RemarkQueued,
  type SheetItem,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import type { Answer, Attempt, Exam, Question } from '../../db/schema/index.ts';
import { badRequest, conflict, notFound } from '../../http/errors.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { CertificateJobs } from '../certificates/certificates.jobs.ts';
import type { LtiGradeJobs } from '../lti/lti.jobs.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import { loadExamFor } from '../exams/exams.service.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { gradeResponse } from '../questions/types/index.ts';
import * as repo from './grading.manual.repository.ts';
import { cents, gradeLocked, isOverridden, pointsIn } from './grading.service.ts';
import { checkRubric } from './grading.rubric.ts';

type Ids = { examId: string; attemptId: string; questionId: string };

function candidateOf(exam: Exam, row: repo.CandidateRow | undefined): Candidate {
  const number = row?.number ?? 0;
  if (exam.blindGrading || !row) return { label: `Candidate ${number}`, name: null, email: null };
  return { label: row.name, name: row.name, email: row.email };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function itemOf(
  exam: Exam,
  a: Attempt,
  q: Question,
  number: number,
  answer: Answer | undefined,
  markerName: string | null,
): SheetItem {
  const worth = pointsIn(a, q);
  const response = answer?.response ?? null;
  const grade = gradeResponse(q, response, {
    partialCredit: exam.partialCreditRule,
    penalty: exam.partialCreditPenalty,
  });
  return {
    questionId: q.id,
    number,
    type: q.type,
    prompt: q.prompt,
    points: worth,
    content: q.content,
    answerKey: q.answerKey,
    explanation: q.explanation,
    response,
    answered: response !== null && response !== undefined,
    autoPoints: grade.manual ? null : cents(grade.fraction * worth),
    pointsAwarded: answer?.pointsAwarded ?? null,
    correct: answer?.isCorrect ?? null,
    needsManual: answer?.needsManual ?? false,
    manualPoints: answer?.manualPoints ?? null,
    feedback: answer?.feedback ?? null,
    rubricMarks: answer?.rubricMarks ?? null,
    markedBy: answer?.markedAt ? { userId: answer.markedBy, name: markerName } : null,
    markedAt: iso(answer?.markedAt ?? null),
    timeSpentSeconds: answer?.timeSpentSeconds ?? 0,
  };
}

async function sheetOf(db: Db | Tx, exam: Exam, a: Attempt): Promise<AnswerSheet> {
  const [qs, saved, [cand]] = await Promise.all([
    repo.questionsByIds(db, a.questionOrder),
    repo.answersWithMarkers(db, a.id),
    repo.candidates(db, exam.id, [a.id]),
  ]);
  const byId = new Map(qs.map((q) => [q.id, q]));
  const byQuestion = new Map(saved.map((s) => [s.answer.questionId, s]));
  const items = a.questionOrder.flatMap((id, i) => {
    const q = byId.get(id);
    if (!q) return [];
    const s = byQuestion.get(id);
    return [itemOf(exam, a, q, i + 1, s?.answer, s?.markerName ?? null)];
  });
  return {
    examId: exam.id,
    examTitle: exam.title,
    attemptId: a.id,
    blind: exam.blindGrading,
    candidate: candidateOf(exam, cand),
    status: a.status,
    submittedAt: iso(a.submittedAt),
    gradedAt: iso(a.gradedAt),
    score: a.score,
    maxScore: a.maxScore,
    percentage: a.percentage,
    passed: a.passed,
    manualPending: a.manualPending,
    scoreOverridden: isOverridden(a),
    items,
  };
}

/** The attempt and its question, checked for a mark: ended, graded once, and the question was in it. */
async function markable(tx: Tx, exam: Exam, ids: Ids) {
  const a = await repo.attemptOfExam(tx, exam.id, ids.attemptId, { forUpdate: true });
  if (!a) throw notFound('Attempt');
  if (!(gradableAttemptStatuses as readonly string[]).includes(a.status)) {
    throw conflict(`This attempt is ${a.status.replace('_', ' ')}: only submitted or expired attempts are marked.`);
  }
  if (a.gradedAt === null) throw conflict('This attempt is not graded yet; try again in a moment.');
  const [q] = a.questionOrder.includes(ids.questionId) ? await repo.questionsByIds(tx, [ids.questionId]) : [];
  if (!q) throw notFound('Question');
  return { a, q };
}

export function createGradingService(deps: {
  db: Db;
  secret: string;
  publish: HallPublisher;
  certificates: CertificateJobs;
  ltiGrades?: LtiGradeJobs;
}) {
  const { db, secret, publish, certificates, ltiGrades } = deps;

  /** After commit: the student's page fetches its result again; a final result brings the certificate
   * (and the LMS gradebook, if the exam is placed in one) in line. */
  async function settled(attemptId: string, manualPending: number) {
    publish.graded(attemptId);
    if (manualPending === 0) await certificates.evaluate(attemptId);
    if (manualPending === 0 && ltiGrades) await bestEffort(ltiGrades.resultChanged(attemptId), 1000);
  }

  return {
    async queue(actor: Actor, examId: string): Promise<GradingQueue> {
      const exam = await loadExamFor(db, actor, examId);
      const pending = await repo.pendingAnswers(db, examId);
      const attemptIds = [...new Set(pending.map((p) => p.attemptId))];
      const questionIds = [...new Set(pending.map((p) => p.questionId))];
      const [cands, qs] = await Promise.all([
        repo.candidates(db, examId, attemptIds),
        repo.questionsByIds(db, questionIds),
      ]);
      const candOf = new Map(cands.map((c) => [c.attemptId, c]));
      const count = (key: 'attemptId' | 'questionId', id: string) => pending.filter((p) => p[key] === id).length;
      const byQuestion = qs
        .sort((x, y) => Number(x.examId === null) - Number(y.examId === null) || x.position - y.position)
        .map((q) => ({
          questionId: q.id,
          type: q.type,
          prompt: q.prompt,
          points: q.points,
          pending: count('questionId', q.id),
        }));
      return {
        examId,
        examTitle: exam.title,
        blind: exam.blindGrading,
        pendingAnswers: pending.length,
        pendingAttempts: attemptIds.length,
        byAttempt: attemptIds.map((id) => ({
          attemptId: id,
          candidate: candidateOf(exam, candOf.get(id)),
          submittedAt: iso(pending.find((p) => p.attemptId === id)!.submittedAt),
          pending: count('attemptId', id),
        })),
        byQuestion,
        items: pending.map((p) => ({
          attemptId: p.attemptId,
          questionId: p.questionId,
          reason: p.type === 'essay' && p.manualPoints === null ? ('essay' as const) : ('remark' as const),
        })),
      };
    },

    async sheet(actor: Actor, examId: string, attemptId: string): Promise<AnswerSheet> {
      const exam = await loadExamFor(db, actor, examId);
      const a = await repo.attemptOfExam(db, examId, attemptId);
      if (!a) throw notFound('Attempt');
      return sheetOf(db, exam, a);
    },

    /**
     * Marks one answer by hand (0..what it is worth) with feedback, and regrades the attempt:
     * the last mark waiting makes the result final, tells the student's page and evaluates the
     * certificate. A mark on an answer someone else marked since `basedOn` is refused unless equal.
     */
    async mark(caller: Caller, ids: Ids, input: MarkInput): Promise<MarkSaved> {
      const outcome = await db.transaction(async (tx) => {
        const exam = await loadExamFor(tx, caller.actor, ids.examId);
        const { a, q } = await markable(tx, exam, ids);
        const worth = pointsIn(a, q);
        const points = cents(input.points);
        if (points > worth) {
          const message = `Points must be at most ${worth}, what this question is worth`;
          throw badRequest(message, [{ path: 'body.points', message }]);
        }
        const rubricMarks = input.rubricMarks && Object.keys(input.rubricMarks).length ? input.rubricMarks : null;
        if (rubricMarks) checkRubric(q, worth, rubricMarks);
        const feedback = input.feedback ? input.feedback : null;
        const answer = await repo.lockAnswer(tx, a.id, q.id);
        const seen = input.basedOn === null ? null : new Date(input.basedOn).getTime();
        const same = answer.manualPoints === points && (answer.feedback ?? null) === feedback;
        if (answer.markedAt !== null && answer.markedAt.getTime() !== seen) {
          // Someone marked it since this grader loaded the sheet: their mark stands unless equal.
          if (same) return { exam, a, changed: false, finalized: false, manualPending: a.manualPending };
          throw conflict(
            `Someone else marked this answer meanwhile (${answer.manualPoints} of ${worth} points). Reload the answer sheet to see their mark before changing it.`,
          );
        }
        if (same && !answer.needsManual && JSON.stringify(answer.rubricMarks) === JSON.stringify(rubricMarks)) {
          return { exam, a, changed: false, finalized: false, manualPending: a.manualPending };
        }
        const markedAt = new Date();
        await repo.writeHandMark(tx, answer.id, {
          manualPoints: points,
          feedback,
          rubricMarks,
          markedBy: caller.actor.userId,
          markedAt,
        });
        const graded = await gradeLocked(tx, a, exam, markedAt);
        const finalized = a.manualPending > 0 && graded.manualPending === 0;
        // No answer text and no feedback text in the log: the marks and who gave them.
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'answer.mark',
          targetType: 'attempt',
          targetId: a.id,
          details: {
            examId: exam.id,
            questionId: q.id,
            points,
            maxPoints: worth,
            previousPoints: answer.manualPoints ?? answer.pointsAwarded,
            withFeedback: feedback !== null,
            rubric: rubricMarks !== null,
            manualPending: graded.manualPending,
            finalized,
            score: graded.score,
          },
        });
        return { exam, a, changed: true, finalized, manualPending: graded.manualPending };
      });
      if (outcome.changed) await settled(ids.attemptId, outcome.manualPending);
      const a = (await repo.attemptOfExam(db, ids.examId, ids.attemptId))!;
      const sheet = await sheetOf(db, outcome.exam, a);
      return {
        item: sheet.items.find((i) => i.questionId === ids.questionId)!,
        manualPending: a.manualPending,
        score: a.score,
        maxScore: a.maxScore,
        finalized: outcome.finalized,
        changed: outcome.changed,
      };
    },

    /** Puts an answer back in the queue; the attempt's result waits again until it is marked. */
    async remark(caller: Caller, ids: Ids, input: RemarkInput): Promise<RemarkQueued> {
      const outcome = await db.transaction(async (tx) => {
        const exam = await loadExamFor(tx, caller.actor, ids.examId);
        const { a, q } = await markable(tx, exam, ids);
        const answer = await repo.lockAnswer(tx, a.id, q.id);
        if (answer.needsManual) return { already: true, manualPending: a.manualPending };
        await repo.requestRemark(tx, answer.id);
        const graded = await gradeLocked(tx, a, exam);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'answer.remark_request',
          targetType: 'attempt',
          targetId: a.id,
          details: {
            examId: exam.id,
            questionId: q.id,
            reason: input.reason ?? null,
            manualPending: graded.manualPending,
          },
        });
        return { already: false, manualPending: graded.manualPending };
      });
      if (!outcome.already) publish.graded(ids.attemptId);
      return { manualPending: outcome.manualPending, alreadyQueued: outcome.already };
    },
  };
}
export type GradingService = ReturnType<typeof createGradingService>;
