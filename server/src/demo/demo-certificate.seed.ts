// Demo data for certificates: the demo student has already passed "Lab safety"
// (a completed attempt, graded, every answer right), so a certificate exists and
// the workers put it on the local chain right after start. Idempotent.
import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { answers, attempts, certificates, examParticipants, questions, users } from '../db/schema/index.ts';
import { newAccessCode } from '../modules/participants/access-codes.ts';
import { transitionAttempt } from '../modules/attempts/attempts.state.ts';
import { gradeAttempt } from '../modules/grading/grading.service.ts';
import { evaluateAttempt } from '../modules/certificates/certificates.evaluate.ts';
import { demoCourse, ensureDemoExam } from './demo-exams.seed.ts';

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
  const { teacher, course } = await demoCourse(db, opts.teacherEmail);
  const exam = await ensureDemoExam(db, { teacherId: teacher.id, courseId: course.id }, CERTIFICATE_DEMO_TITLE, {
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
    const code = newAccessCode(opts.secret);
    await db
      .insert(examParticipants)
      .values({
        examId: exam.id,
        userId: student.id,
        email: student.email,
        accessCodeHash: code.hash,
        accessCodeHint: code.hint,
        codeStatus: 'used',
        codeUsedAt: new Date(),
        addedBy: teacher.id,
      })
      .onConflictDoNothing();
    const participant = await db.query.examParticipants.findFirst({
      where: and(eq(examParticipants.examId, exam.id), eq(examParticipants.userId, student.id)),
    });
    const qs = await db.select().from(questions).where(eq(questions.examId, exam.id));
    qs.sort((a, b) => a.position - b.position);
    [attempt] = await db
      .insert(attempts)
      .values({
        examId: exam.id,
        userId: student.id,
        participantId: participant!.id,
        questionOrder: qs.map((q) => q.id),
      })
      .returning();
    await transitionAttempt(db, attempt!.id, 'in_progress', { durationSeconds: exam.durationMinutes * 60 });
    await db.insert(answers).values(
      qs.map((q, i) => ({
        attemptId: attempt!.id,
        questionId: q.id,
        response: rightAnswer(q.type, q.answerKey),
        seq: i + 1,
      })),
    );
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
