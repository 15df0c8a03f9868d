import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { answers, attempts, questions } from '../../src/db/schema/index.ts';
import { gradeAttempt } from '../../src/modules/grading/grading.service.ts';
import { transitionAttempt } from '../../src/modules/attempts/attempts.state.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
let workers: Awaited<ReturnType<typeof startWorkers>>;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
  // Real workers on the same database and Redis prefix as the server under test.
  workers = await startWorkers(t.system.config, createLogger('silent'));
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await workers?.close();
  await t?.close();
});

/** Fixture questions: three single choice ('a' right, 1 point each) and one true/false (true, 1 point). */
async function answer(attemptId: string, picks: Record<string, unknown>) {
  const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
  const qs = await t.system.db.select().from(questions).where(eq(questions.examId, a!.examId));
  let seq = 0;
  for (const q of qs.sort((x, y) => x.position - y.position)) {
    const response = picks[q.prompt];
    if (response === undefined) continue;
    await t.system.db.insert(answers).values({ attemptId, questionId: q.id, response, seq: ++seq });
  }
}

describe('grading', () => {
  it('scores through the registry, marks each answer, and gives the same result when run again', async () => {
    const exam = await publishedExam(t, teacher, { passingScore: 50 });
    const { attemptId } = await startedAttempt(t, teacher, exam.id);
    await answer(attemptId, {
      'Question 1': { optionId: 'a' },
      'Question 2': { optionId: 'b' },
      'True?': { value: true },
    });
    expect(await gradeAttempt(t.system.db, attemptId)).toBeNull(); // still running: nothing to grade
    await transitionAttempt(t.system.db, attemptId, 'submitted');
    const first = await gradeAttempt(t.system.db, attemptId);
    expect(first).toEqual({ attemptId, score: 2, maxScore: 4, percentage: 50, passed: true, manualPending: 0 });
    const again = await gradeAttempt(t.system.db, attemptId);
    expect(again).toEqual(first);
    const marked = await t.system.db.select().from(answers).where(eq(answers.attemptId, attemptId));
    expect(marked.map((m) => m.isCorrect).sort()).toEqual([false, true, true]);
  });

  it('applies proportional credit with a penalty to multiple choice', async () => {
    const exam = await publishedExam(t, teacher, { partialCreditRule: 'proportional', partialCreditPenalty: 0.5 });
    await t.system.db.insert(questions).values({
      examId: exam.id,
      type: 'multiple_choice',
      prompt: 'Pick the primes',
      content: { options: ['2', '3', '4', '5'].map((text, i) => ({ id: 'abcd'[i]!, text })) },
      answerKey: { correct: ['a', 'b', 'd'] },
      points: 3,
      position: 10,
    });
    const { attemptId } = await startedAttempt(t, teacher, exam.id);
    // Two right picks and one wrong: (2 - 0.5 * 1) / 3 of 3 points = 1.5.
    await answer(attemptId, { 'Pick the primes': { optionIds: ['a', 'b', 'c'] } });
    await transitionAttempt(t.system.db, attemptId, 'expired');
    const outcome = await gradeAttempt(t.system.db, attemptId);
    expect(outcome).toMatchObject({ score: 1.5, maxScore: 7, passed: false });
  });
});

describe('results after submission', () => {
  it('grades in the worker after submit, tells the page, and shows the review when allowed', async () => {
    const exam = await publishedExam(t, teacher, { resultsPolicy: 'immediately', allowReview: true });
    const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
    const socket = await openSocket(t.url, student);
    sockets.push(socket);
    const snap = await call(socket, 'attempt:join', { attemptId, deviceId: 'laptop-grade-01' });
    const tf = snap.questions.find((q: { type: string }) => q.type === 'true_false');
    await call(socket, 'answer:save', { attemptId, seq: 1, questionId: tf.id, response: { value: true } });
    expect((await student.get(`/api/attempts/${attemptId}/result`)).body).toEqual({
      state: 'not_finished',
      status: 'in_progress',
      // Started with an access code: no password yet, so the result page offers to keep the account.
      canClaimAccount: true,
    });
    const graded = nextEvent(socket, 'attempt:graded');
    await call(socket, 'attempt:submit', { attemptId });
    expect(await graded).toEqual({ attemptId });
    const result = await student.get(`/api/attempts/${attemptId}/result`);
    expect(result.body).toMatchObject({ state: 'graded', score: 1, maxScore: 4, percentage: 25, passed: false });
    expect(result.body.review).toHaveLength(4);
    const item = result.body.review.find((r: { questionId: string }) => r.questionId === tf.id);
    expect(item).toMatchObject({
      correct: true,
      pointsAwarded: 1,
      response: { value: true },
      answerKey: { correct: true },
    });
    // Someone else cannot read it.
    const other = await signedIn(t, 'student');
    expect((await other.get(`/api/attempts/${attemptId}/result`)).status).toBe(404);
  });

  it('holds the score back until release when the exam says so, and hides answers without review', async () => {
    const exam = await publishedExam(t, teacher, { resultsPolicy: 'on_release', allowReview: false });
    const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
    await transitionAttempt(t.system.db, attemptId, 'submitted');
    await gradeAttempt(t.system.db, attemptId);
    expect((await student.get(`/api/attempts/${attemptId}/result`)).body.state).toBe('awaiting_release');
    await teacher.request('PATCH', `/api/exams/${exam.id}`, { resultsPolicy: 'immediately' });
    const result = await student.get(`/api/attempts/${attemptId}/result`);
    expect(result.body).toMatchObject({ state: 'graded', score: 0, review: null });
  });
});
