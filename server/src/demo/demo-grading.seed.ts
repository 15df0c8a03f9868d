// Demo data for grading by hand: "Chemistry in words" has two short choice questions and an
// essay with a rubric. Three students (the demo student among them) have submitted it; one
// essay is already marked by the teacher through the grading service, the other two wait in
// the exam's grading queue, so the demo student's result page says it waits for hand grading.
// Idempotent: attempts are made once; the mark is given once.
import { and, eq } from 'drizzle-orm';
import { examCreateSchema, markInputSchema, questionInputSchema } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { answers, attempts, examParticipants, exams, questions, users } from '../db/schema/index.ts';
import { transitionAttempt } from '../modules/attempts/attempts.state.ts';
import { gradeAttempt } from '../modules/grading/grading.service.ts';
import { createGradingService } from '../modules/grading/grading.manual.service.ts';
import type { CertificateJobs } from '../modules/certificates/certificates.jobs.ts';
import { silentPublisher } from '../modules/hall/hall.events.ts';
import { checkResponse } from '../modules/questions/types/index.ts';
import { demoCourse, inviteDemoStudents } from './demo-exams.seed.ts';
import { demoServices } from './demo-services.ts';

export const GRADING_DEMO_TITLE = 'Chemistry in words: essay demo';

const QUESTIONS = [
  {
    type: 'single_choice',
    prompt: 'Which gas do plants take in for photosynthesis?',
    points: 1,
    content: {
      options: [
        { id: 'a', text: 'Carbon dioxide' },
        { id: 'b', text: 'Oxygen' },
        { id: 'c', text: 'Nitrogen' },
      ],
    },
    answerKey: { correct: 'a' },
  },
  {
    type: 'true_false',
    prompt: 'Water boils at 100 °C at sea level.',
    points: 1,
    content: {},
    answerKey: { correct: true },
  },
  {
    type: 'essay',
    prompt: '<p>Explain, in your own words, why salt dissolves in water but oil does not.</p>',
    points: 6,
    content: { wordLimit: 250 },
    answerKey: {
      rubric: [
        { id: 'polar', criterion: 'Names polarity (water is polar, oil is not)', points: 3 },
        { id: 'ions', criterion: 'Explains how water surrounds the ions', points: 2 },
        { id: 'clear', criterion: 'Clear and well ordered', points: 1 },
      ],
      guidance: 'Full marks need both polarity and the ions; "like dissolves like" alone earns 1 for polarity.',
    },
  },
];

const ESSAYS = [
  '<p>Water molecules are polar: the oxygen end is slightly negative and the hydrogen end slightly positive. Salt is made of ions, and the water molecules surround each ion and pull it away from the crystal. Oil molecules are not polar, so water is not attracted to them and they stay apart.</p>',
  '<p>Salt dissolves because it is small and water can get between the grains. Oil is thicker than water so it floats on top.</p>',
  '<p>Like dissolves like. Water and salt are both polar, oil is non-polar.</p>',
];

/** No job queue in a seed: the certificate reconciler evaluates final results on the next start. */
const noCertificates: CertificateJobs = { evaluate: async () => {}, mint: async () => {}, revoke: async () => {} };

export async function seedDemoGrading(db: Db, secret: string, teacherEmail: string, studentEmail: string) {
  const { caller, course } = await demoCourse(db, secret, teacherEmail);
  const services = demoServices(db, secret);
  let exam = await db.query.exams.findFirst({
    where: and(eq(exams.courseId, course.id), eq(exams.title, GRADING_DEMO_TITLE)),
  });
  if (!exam) {
    const created = await services.exams.create(
      caller,
      examCreateSchema.parse({
        courseId: course.id,
        title: GRADING_DEMO_TITLE,
        description: 'Two quick questions and an essay marked by hand against a rubric.',
        durationMinutes: 20,
        availableAnytime: true,
        allowReview: true,
        resultsPolicy: 'immediately',
        passingScore: 50,
        issueCertificates: false,
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
  const qs = (await db.select().from(questions).where(eq(questions.examId, exam.id))).sort(
    (a, b) => a.position - b.position,
  );
  const students = [studentEmail, 'student01@demo.examhall.test', 'student02@demo.examhall.test'];
  await inviteDemoStudents(
    db,
    secret,
    caller,
    exam.id,
    students.map((email) => ({ email })),
  );
  const attemptIds: string[] = [];
  for (const [i, email] of students.entries()) {
    const user = await db.query.users.findFirst({ where: eq(users.email, email) });
    if (!user) continue;
    const found = await db.query.attempts.findFirst({
      where: and(eq(attempts.examId, exam.id), eq(attempts.userId, user.id)),
    });
    attemptIds.push(found?.id ?? (await finishedAttempt(db, exam, qs, user.id, ESSAYS[i]!)));
  }
  // The teacher has marked the first student's essay; the other two wait in the queue.
  const first = attemptIds[1];
  const essay = qs.find((q) => q.type === 'essay');
  if (first && essay) {
    const [row] = await db
      .select()
      .from(answers)
      .where(and(eq(answers.attemptId, first), eq(answers.questionId, essay.id)));
    if (row && row.markedAt === null) {
      const grading = createGradingService({ db, secret, publish: silentPublisher, certificates: noCertificates });
      await grading.mark(
        caller,
        { examId: exam.id, attemptId: first, questionId: essay.id },
        markInputSchema.parse({
          points: 5,
          rubricMarks: { polar: 3, ions: 2 },
          feedback: 'Polarity and the ions, well explained. Order your points: first why, then what happens.',
          basedOn: null,
        }),
      );
    }
  }
  return { examId: exam.id, attemptIds };
}

/**
 * An attempt already submitted before the server runs (as demo-certificate.seed.ts makes
 * one): the rows the start and save flows would write, each answer checked as the save path
 * does, through the attempt state machine, then graded by the grader (the essay waits).
 */
async function finishedAttempt(
  db: Db,
  exam: { id: string; durationMinutes: number },
  qs: (typeof questions.$inferSelect)[],
  userId: string,
  essayHtml: string,
): Promise<string> {
  const participant = (await db.query.examParticipants.findFirst({
    where: and(eq(examParticipants.examId, exam.id), eq(examParticipants.userId, userId)),
  }))!;
  await db
    .update(examParticipants)
    .set({ codeStatus: 'used', codeUsedAt: new Date() })
    .where(eq(examParticipants.id, participant.id));
  const [attempt] = await db
    .insert(attempts)
    .values({ examId: exam.id, userId, participantId: participant.id, questionOrder: qs.map((q) => q.id) })
    .returning();
  await transitionAttempt(db, attempt!.id, 'in_progress', { durationSeconds: exam.durationMinutes * 60 });
  const rows = qs.map((q, i) => {
    const raw =
      q.type === 'essay' ? { html: essayHtml } : q.type === 'true_false' ? { value: true } : { optionId: 'a' };
    const checked = checkResponse(q, raw);
    if (!checked.ok) throw new Error(`demo answer to "${q.prompt}" is invalid: ${JSON.stringify(checked.problems)}`);
    return { attemptId: attempt!.id, questionId: q.id, response: checked.value, seq: i + 1 };
  });
  await db.insert(answers).values(rows);
  await transitionAttempt(db, attempt!.id, 'submitted', { reason: 'student' });
  await gradeAttempt(db, attempt!.id);
  return attempt!.id;
}
