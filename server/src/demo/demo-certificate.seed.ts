// Demo data for certificates: the demo student has already passed "Lab safety"
// (a completed attempt, graded, every answer right), so a certificate exists and
// the workers put it on the local chain right after start. Idempotent.
import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { answers, attempts, certificates, examParticipants, questions, users } from '../db/schema/index.ts';
import { transitionAttempt } from '../modules/attempts/attempts.state.ts';
import { gradeAttempt } from '../modules/grading/grading.service.ts';
import { evaluateAttempt } from '../modules/certificates/certificates.evaluate.ts';
import { checkResponse } from '../modules/questions/types/index.ts';
import { demoCourse, ensureDemoExam, inviteDemoStudents } from './demo-exams.seed.ts';

export const CERTIFICATE_DEMO_TITLE = 'Lab safety: completed demo exam';

function rightAnswer(type: string, key: unknown): unknown {
  const correct = (key as { correct: unknown }).correct;
  if (type === 'multiple_choice') return { optionIds: correct };
  if (type === 'true_false') return { value: correct };
  return { optionId: correct };
}

export async function seedDemoCertificate(
  db: Db,
  opts: { secret: string; teacherEmail: string; studentEmail: string; institutionName: string },
): Promise<{ publicId: string } | null> {
  const { caller, course } = await demoCourse(db, opts.secret, opts.teacherEmail);
  const exam = await ensureDemoExam(db, opts.secret, { caller, courseId: course.id }, CERTIFICATE_DEMO_TITLE, {
    description: 'Already taken by the demo student, who passed: see their certificate.',
    shuffleQuestions: false,
    shuffleOptions: false,
  });
  const student = await db.query.users.findFirst({ where: eq(users.email, opts.studentEmail) });
  if (!student) return null;
  let attempt = await db.query.attempts.findFirst({
    where: and(eq(attempts.examId, exam.id), eq(attempts.userId, student.id)),
  });
  if (!attempt) {
    await inviteDemoStudents(db, opts.secret, caller, exam.id, [{ email: student.email }]);
    const participant = (await db.query.examParticipants.findFirst({
      where: and(eq(examParticipants.examId, exam.id), eq(examParticipants.userId, student.id)),
    }))!;
    // The one state no service makes: an attempt already finished before the server
    // runs. The attempt service starts attempts for a live request (code or session,
    // expiry job on the queue) and answers arrive over the socket, so this writes the
    // rows those flows would, through the same state machine, checks each answer as
    // the save path does, and grades it with the grader.
    const qs = await db.select().from(questions).where(eq(questions.examId, exam.id));
    qs.sort((a, b) => a.position - b.position);
    const responses = qs.map((q) => {
      const checked = checkResponse(q, rightAnswer(q.type, q.answerKey));
      if (!checked.ok) throw new Error(`demo answer to "${q.prompt}" is invalid: ${JSON.stringify(checked.problems)}`);
      return { questionId: q.id, response: checked.value };
    });
    await db
      .update(examParticipants)
      .set({ codeStatus: 'used', codeUsedAt: new Date() })
      .where(eq(examParticipants.id, participant.id));
    [attempt] = await db
      .insert(attempts)
      .values({
        examId: exam.id,
        userId: student.id,
        participantId: participant.id,
        attemptNumber: 1,
        questionOrder: qs.map((q) => q.id),
      })
      .returning();
    await transitionAttempt(db, attempt!.id, 'in_progress', { durationSeconds: exam.durationMinutes * 60 });
    await db.insert(answers).values(responses.map((r, i) => ({ attemptId: attempt!.id, ...r, seq: i + 1 })));
    await transitionAttempt(db, attempt!.id, 'submitted', { reason: 'student' });
    await gradeAttempt(db, attempt!.id);
  }
  await evaluateAttempt(db, opts.institutionName, attempt!.id);
  const [cert] = await db
    .select({ publicId: certificates.publicId })
    .from(certificates)
    .where(and(eq(certificates.attemptId, attempt!.id), ne(certificates.status, 'revoked')));
  return cert ?? null;
}
