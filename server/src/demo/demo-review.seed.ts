// Demo data for the proctoring review: "Chemistry quiz: proctoring review demo" reviews any
// attempt that ends with a risk of 30 or more. Two students of the class have taken it: one
// left the exam tab four times (risk 40) and waits in the exam's review list; the other
// pasted text once (risk 12), and the teacher flagged the attempt with a note anyway.
// Signals go through the proctoring service, the end through the attempt state machine
// (which sets the review flag), the decision through the review service.
// Idempotent: attempts are made once; the decision is recorded once.
import { and, eq } from 'drizzle-orm';
import { examCreateSchema, questionInputSchema, reviewDecisionBodySchema } from '@exam-hall/protocol';
import type { ProctorSignalType } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { attempts, exams, users } from '../db/schema/index.ts';
import { transitionAttempt } from '../modules/attempts/attempts.state.ts';
import type { CertificateJobs } from '../modules/certificates/certificates.jobs.ts';
import { gradeAttempt } from '../modules/grading/grading.service.ts';
import { silentPublisher } from '../modules/hall/hall.events.ts';
import { createProctoringService } from '../modules/proctoring/proctoring.service.ts';
import { createReviewService } from '../modules/review/review.service.ts';
import { startDemoAttempt } from './demo-attempts.ts';
import { demoCourse, inviteDemoStudents } from './demo-exams.seed.ts';
import { demoServices } from './demo-services.ts';

export const REVIEW_DEMO_TITLE = 'Chemistry quiz: proctoring review demo';

const QUESTIONS = [
  { type: 'true_false', prompt: 'Salt is an ionic compound.', points: 1, content: {}, answerKey: { correct: true } },
  { type: 'true_false', prompt: 'Oil dissolves in water.', points: 1, content: {}, answerKey: { correct: false } },
];

/** Who took it and what the page reported: the first waits for review, the second is flagged. */
const TAKERS: { email: string; signals: ProctorSignalType[] }[] = [
  { email: 'student03@demo.examhall.test', signals: ['tab_hidden', 'tab_hidden', 'tab_hidden', 'tab_hidden'] },
  { email: 'student04@demo.examhall.test', signals: ['paste'] },
];

const noCertificates: CertificateJobs = { evaluate: async () => {}, mint: async () => {}, revoke: async () => {} };

export async function seedDemoReview(db: Db, secret: string, teacherEmail: string) {
  const { caller, course } = await demoCourse(db, secret, teacherEmail);
  const services = demoServices(db, secret);
  let exam = await db.query.exams.findFirst({
    where: and(eq(exams.courseId, course.id), eq(exams.title, REVIEW_DEMO_TITLE)),
  });
  if (!exam) {
    const created = await services.exams.create(
      caller,
      examCreateSchema.parse({
        courseId: course.id,
        title: REVIEW_DEMO_TITLE,
        description: 'Two quick questions; attempts with a risk of 30 or more need a reviewer’s decision.',
        durationMinutes: 10,
        availableAnytime: true,
        resultsPolicy: 'immediately',
        passingScore: 50,
        reviewRiskThreshold: 30,
        proctoring: {
          enabled: true,
          requireFullscreen: false,
          blockCopyPaste: false,
          strictMode: false,
          allowedBrowsers: [],
        },
      }),
    );
    exam = (await db.query.exams.findFirst({ where: eq(exams.id, created.id) }))!;
  }
  if (exam.status === 'draft') {
    const have = new Set((await services.questions.list(caller.actor, exam.id)).map((q) => q.prompt));
    for (const q of QUESTIONS) {
      if (!have.has(q.prompt)) await services.questions.create(caller, exam.id, questionInputSchema.parse(q));
    }
    await services.exams.publish(caller, exam.id);
  }
  await inviteDemoStudents(
    db,
    secret,
    caller,
    exam.id,
    TAKERS.map((t) => ({ email: t.email })),
  );
  const proctoring = createProctoringService({ db, secret, publish: silentPublisher });
  const review = createReviewService({ db, secret, proctoring, certificates: noCertificates });
  const attemptIds: string[] = [];
  for (const taker of TAKERS) {
    const user = await db.query.users.findFirst({ where: eq(users.email, taker.email) });
    if (!user) continue;
    const found = await db.query.attempts.findFirst({
      where: and(eq(attempts.examId, exam.id), eq(attempts.userId, user.id)),
    });
    attemptIds.push(found?.id ?? (await endedAttempt(db, proctoring, exam, user.id, taker.signals)));
  }
  // The second attempt: the teacher flagged it with a note the student reads (and may appeal).
  const second = attemptIds[1];
  if (second) {
    const a = await db.query.attempts.findFirst({ where: eq(attempts.id, second) });
    if (a && a.reviewStatus === null) {
      await review.decide(
        caller,
        second,
        reviewDecisionBodySchema.parse({
          status: 'flagged',
          note: 'Text was pasted into the exam once. Noted; your result stands unless you are asked to sit again.',
        }),
      );
    }
  }
  return { examId: exam.id, attemptIds };
}

/** An attempt that ran, reported its signals through the proctoring service, and was submitted. */
async function endedAttempt(
  db: Db,
  proctoring: ReturnType<typeof createProctoringService>,
  exam: { id: string; durationMinutes: number },
  userId: string,
  signals: ProctorSignalType[],
): Promise<string> {
  const attemptId = (await startDemoAttempt(db, exam, userId))!;
  for (const [i, type] of signals.entries()) {
    await proctoring.record({ id: attemptId, examId: exam.id, userId }, type, {}, `demo-review-${i}`);
  }
  await transitionAttempt(db, attemptId, 'submitted', { reason: 'student' });
  await gradeAttempt(db, attemptId);
  return attemptId;
}
