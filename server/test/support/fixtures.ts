import { expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { enrollments, exams, questions } from '../../src/db/schema/index.ts';
import type { TestSystem } from './test-system.ts';
import { Client } from './http-client.ts';
import { enterAndBegin } from './attempts.ts';

export async function signedIn(t: TestSystem, role: 'admin' | 'teacher' | 'proctor' | 'student') {
  const user = await t.createUser(role);
  const c = new Client(t.url);
  expect((await c.signIn(user.email, user.password)).status).toBe(200);
  return Object.assign(c, { user });
}

/** A published exam (three single-choice questions, a..c, 'a' correct, plus one true/false). */
export async function publishedExam(t: TestSystem, teacher: Client, settings: Record<string, unknown> = {}) {
  const exam = (
    await teacher.post('/api/exams', { title: 'Hall exam', durationMinutes: 30, availableAnytime: true, ...settings })
  ).body as { id: string };
  await t.system.db.insert(questions).values([
    ...[0, 1, 2].map((position) => ({
      examId: exam.id,
      type: 'single_choice',
      prompt: `Question ${position + 1}`,
      content: {
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
          { id: 'c', text: 'C' },
        ],
      },
      answerKey: { correct: 'a' },
      position,
    })),
    { examId: exam.id, type: 'true_false', prompt: 'True?', content: {}, answerKey: { correct: true }, position: 3 },
  ]);
  const pub = await teacher.post(`/api/exams/${exam.id}/publish`);
  expect(pub.status).toBe(200);
  return exam;
}

/** Invites a fresh email, enters with the code and begins (the clock runs); answers the student's client. */
export async function startedAttempt(t: TestSystem, teacher: Client, examId: string) {
  const email = `s-${Math.random().toString(36).slice(2, 10)}@school.example`;
  const inv = await teacher.post(`/api/exams/${examId}/participants`, { email });
  expect(inv.status).toBe(201);
  const student = new Client(t.url);
  const res = await enterAndBegin(student, { email, code: inv.body.code });
  expect(res.status).toBe(201);
  return { student, attemptId: res.body.attempt.id as string, email, participantId: inv.body.participant.id as string };
}

/** Lets a proctor watch the exam: enrolled in its course with the proctor role. */
export async function assignProctor(t: TestSystem, teacher: Client, examId: string, proctorUserId: string) {
  const course = (await teacher.post('/api/courses', { name: `Course ${Math.random().toString(36).slice(2, 6)}` }))
    .body;
  await teacher.request('PATCH', `/api/exams/${examId}`, { courseId: course.id });
  await t.system.db.insert(enrollments).values({ courseId: course.id, userId: proctorUserId, role: 'proctor' });
  const [e] = await t.system.db.select().from(exams).where(eq(exams.id, examId));
  expect(e!.courseId).toBe(course.id);
}
