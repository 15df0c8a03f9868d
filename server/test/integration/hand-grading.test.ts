// Grading by hand: an essay waits in the exam's queue, the teacher marks it on the answer
// sheet, and only then is the result final, released to the student (with the feedback)
// and the certificate evaluated. Blind grading hides who wrote it; a concurrent mark is
// refused; re-marks put an answer back in the queue; only the exam's teacher may do any of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { answers, attempts, auditLogs, certificates, exams, questions, users } from '../../src/db/schema/index.ts';
import { gradeAttempt } from '../../src/modules/grading/grading.service.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { transitionAttempt } from '../../src/modules/attempts/attempts.state.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { signInStudent, waitFor } from '../support/certificates.ts';
import { Client } from '../support/http-client.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo.seed.ts';
import { seedDemoGrading } from '../../src/demo/demo-grading.seed.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
let workers: Awaited<ReturnType<typeof startWorkers>>;
beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
  workers = await startWorkers(t.system.config, createLogger('silent'));
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});

const ESSAY_TEXT = 'Rivers carry sediment to the sea because water flows downhill.';

/** A published exam (four 1-point fixture questions) plus a 5-point essay with a two-criterion rubric. */
async function essayExam(settings: Record<string, unknown> = {}) {
  const exam = await publishedExam(t, teacher, {
    resultsPolicy: 'immediately',
    allowReview: true,
    issueCertificates: true,
    passingScore: 50,
    ...settings,
  });
  const [essay] = await t.system.db
    .insert(questions)
    .values({
      examId: exam.id,
      type: 'essay',
      prompt: 'Explain how rivers shape valleys.',
      content: { wordLimit: 300 },
      answerKey: {
        rubric: [
          { id: 'arg', criterion: 'Argument', points: 3 },
          { id: 'style', criterion: 'Style', points: 2 },
        ],
        guidance: 'Look for erosion and deposition.',
      },
      points: 5,
      position: 4,
    })
    .returning();
  return { exam, essayId: essay!.id };
}

/** Starts an attempt, answers every fixture question right and writes the essay, submits and grades it. */
async function essayAttempt(examId: string) {
  const started = await startedAttempt(t, teacher, examId);
  const qs = await t.system.db.select().from(questions).where(eq(questions.examId, examId));
  let seq = 0;
  for (const q of qs) {
    const right = (q.answerKey as { correct?: unknown }).correct;
    const response =
      q.type === 'essay'
        ? { html: `<p>${ESSAY_TEXT}</p>` }
        : q.type === 'true_false'
          ? { value: right }
          : { optionId: right };
    await t.system.db.insert(answers).values({ attemptId: started.attemptId, questionId: q.id, response, seq: ++seq });
  }
  await transitionAttempt(t.system.db, started.attemptId, 'submitted');
  const outcome = await gradeAttempt(t.system.db, started.attemptId);
  return { ...started, outcome: outcome! };
}

const sheetUrl = (examId: string, attemptId: string) => `/api/exams/${examId}/grading/${attemptId}`;
const markUrl = (examId: string, attemptId: string, questionId: string) =>
  `${sheetUrl(examId, attemptId)}/questions/${questionId}`;

describe('grading an essay by hand', () => {
  it('queues the essay, holds result and certificate back, and finishes the attempt on the last mark', async () => {
    const { exam, essayId } = await essayExam();
    const { attemptId, outcome } = await essayAttempt(exam.id);
    // The four right answers count; the essay waits, earning nothing yet.
    expect(outcome).toMatchObject({ score: 4, maxScore: 9, manualPending: 1 });
    const student = await signInStudent(t, attemptId);
    expect((await student.get(`/api/attempts/${attemptId}/result`)).body).toMatchObject({
      state: 'hand_grading',
      pending: 1,
    });
    // The certificate is not evaluated while a mark is missing.
    expect(await evaluateAttempt(t.system.db, 'Test', attemptId)).toEqual({
      action: 'none',
      reason: 'waiting for hand grading',
    });

    const queue = await teacher.get(`/api/exams/${exam.id}/grading`);
    expect(queue.status).toBe(200);
    expect(queue.body).toMatchObject({ pendingAnswers: 1, pendingAttempts: 1, blind: false });
    expect(queue.body.items).toEqual([{ attemptId, questionId: essayId, reason: 'essay' }]);
    expect(queue.body.byQuestion).toEqual([expect.objectContaining({ questionId: essayId, pending: 1, points: 5 })]);
    expect(queue.body.byAttempt[0]).toMatchObject({ attemptId, pending: 1 });

    const sheet = await teacher.get(sheetUrl(exam.id, attemptId));
    expect(sheet.status).toBe(200);
    expect(sheet.body.items).toHaveLength(5);
    const essayItem = sheet.body.items.find((i: { questionId: string }) => i.questionId === essayId);
    expect(essayItem).toMatchObject({
      type: 'essay',
      needsManual: true,
      autoPoints: null,
      markedAt: null,
      response: { html: `<p>${ESSAY_TEXT}</p>` },
    });
    expect(sheet.body.items.filter((i: { autoPoints: number | null }) => i.autoPoints === 1)).toHaveLength(4);

    const marked = await teacher.request('PUT', markUrl(exam.id, attemptId, essayId), {
      points: 4,
      feedback: 'Clear argument; say more about deposition.',
      rubricMarks: { arg: 3, style: 1 },
      basedOn: null,
    });
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ finalized: true, changed: true, manualPending: 0, score: 8, maxScore: 9 });
    expect(marked.body.item).toMatchObject({
      manualPoints: 4,
      pointsAwarded: 4,
      needsManual: false,
      markedBy: { userId: teacher.user.id },
    });

    // The certificate follows the final result (evaluated by the worker after the mark).
    await waitFor('the certificate', async () => {
      const [c] = await t.system.db.select().from(certificates).where(eq(certificates.attemptId, attemptId));
      return c;
    });
    const result = await student.get(`/api/attempts/${attemptId}/result`);
    expect(result.body).toMatchObject({ state: 'graded', score: 8, maxScore: 9, passed: true });
    const reviewed = result.body.review.find((r: { questionId: string }) => r.questionId === essayId);
    expect(reviewed).toMatchObject({ pointsAwarded: 4, feedback: 'Clear argument; say more about deposition.' });
    // The grader's guidance stays with the graders.
    expect(reviewed.answerKey).toEqual({ rubric: expect.any(Array) });

    const [row] = await t.system.db.select().from(answers).where(eq(answers.questionId, essayId));
    expect(row).toMatchObject({ markedBy: teacher.user.id, manualPoints: 4, rubricMarks: { arg: 3, style: 1 } });
    expect(row!.markedAt).toBeInstanceOf(Date);
    // Audited, without the essay or the feedback.
    const logged = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'answer.mark'), eq(auditLogs.targetId, attemptId)));
    expect(logged).toHaveLength(1);
    expect(logged[0]!.details).toMatchObject({ questionId: essayId, points: 4, finalized: true });
    expect(JSON.stringify(logged[0]!.details)).not.toContain('deposition');
    expect(JSON.stringify(logged[0]!.details)).not.toContain('Rivers');

    // Regrading keeps the hand mark (idempotent).
    expect(await gradeAttempt(t.system.db, attemptId)).toMatchObject({ score: 8, manualPending: 0 });
    expect((await teacher.get(`/api/exams/${exam.id}/grading`)).body.pendingAnswers).toBe(0);
  });

  it('refuses a mark on an answer someone else marked meanwhile, unless it is the same mark', async () => {
    const { exam, essayId } = await essayExam();
    const { attemptId } = await essayAttempt(exam.id);
    const admin = await signedIn(t, 'admin');
    const first = await admin.request('PUT', markUrl(exam.id, attemptId, essayId), {
      points: 2,
      feedback: 'Short.',
      basedOn: null,
    });
    expect(first.status).toBe(200);
    // The teacher loaded the sheet before the admin's mark: basedOn null.
    const stale = await teacher.request('PUT', markUrl(exam.id, attemptId, essayId), { points: 3, basedOn: null });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/marked this answer meanwhile \(2 of 5 points\)/);
    const same = await teacher.request('PUT', markUrl(exam.id, attemptId, essayId), {
      points: 2,
      feedback: 'Short.',
      basedOn: null,
    });
    expect(same.status).toBe(200);
    expect(same.body.changed).toBe(false);
    // With the admin's mark as seen, the teacher may change it.
    const fresh = await teacher.request('PUT', markUrl(exam.id, attemptId, essayId), {
      points: 3,
      basedOn: first.body.item.markedAt,
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ changed: true, score: 7 });
  });

  it('answers bad marks with 400 naming the field, changing nothing', async () => {
    const { exam, essayId } = await essayExam();
    const { attemptId } = await essayAttempt(exam.id);
    const url = markUrl(exam.id, attemptId, essayId);
    const tooMany = await teacher.request('PUT', url, { points: 6, basedOn: null });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.fields).toEqual([expect.objectContaining({ path: 'body.points' })]);
    const decimals = await teacher.request('PUT', url, { points: 1.234, basedOn: null });
    expect(decimals.status).toBe(400);
    expect(decimals.body.error.fields[0].path).toBe('body.points');
    const unknown = await teacher.request('PUT', url, { points: 1, rubricMarks: { nope: 1 }, basedOn: null });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0].path).toBe('body.rubricMarks.nope');
    const over = await teacher.request('PUT', url, { points: 1, rubricMarks: { style: 3 }, basedOn: null });
    expect(over.status).toBe(400);
    expect(over.body.error.fields[0].path).toBe('body.rubricMarks.style');
    const notInAttempt = await teacher.request('PUT', markUrl(exam.id, attemptId, randomUUID()), {
      points: 1,
      basedOn: null,
    });
    expect(notInAttempt.status).toBe(404);
    const [row] = await t.system.db.select().from(answers).where(eq(answers.questionId, essayId));
    expect(row).toMatchObject({ needsManual: true, manualPoints: null, markedAt: null });
  });

  it('puts an answer back in the queue on request and holds the result until it is marked again', async () => {
    const { exam } = await essayExam();
    const { attemptId } = await essayAttempt(exam.id);
    const mc = (await t.system.db.select().from(questions).where(eq(questions.examId, exam.id))).find(
      (q) => q.type === 'single_choice',
    )!;
    const sheet = (await teacher.get(sheetUrl(exam.id, attemptId))).body;
    const essayItem = sheet.items.find((i: { type: string }) => i.type === 'essay');
    await teacher.request('PUT', markUrl(exam.id, attemptId, essayItem.questionId), { points: 5, basedOn: null });
    const remark = await teacher.post(`${markUrl(exam.id, attemptId, mc.id)}/remark`, { reason: 'Key disputed' });
    expect(remark.status).toBe(200);
    expect(remark.body).toEqual({ manualPending: 1, alreadyQueued: false });
    expect((await teacher.post(`${markUrl(exam.id, attemptId, mc.id)}/remark`, {})).body.alreadyQueued).toBe(true);
    const requested = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'answer.remark_request'), eq(auditLogs.targetId, attemptId)));
    expect(requested.map((r) => r.details)).toEqual([
      expect.objectContaining({ questionId: mc.id, reason: 'Key disputed', manualPending: 1 }),
    ]);
    // A provisional score is left out of the results summary and the item statistics.
    const results = (await teacher.get(`/api/exams/${exam.id}/results`)).body;
    expect(results.summary).toMatchObject({ count: 1, graded: 0 });
    expect(results.rows[0]).toMatchObject({ manualPending: 1 });
    expect((await teacher.get(`/api/exams/${exam.id}/results/questions`)).body.gradedAttempts).toBe(0);
    const queue = (await teacher.get(`/api/exams/${exam.id}/grading`)).body;
    expect(queue.items).toEqual([{ attemptId, questionId: mc.id, reason: 'remark' }]);
    const student = await signInStudent(t, attemptId);
    expect((await student.get(`/api/attempts/${attemptId}/result`)).body.state).toBe('hand_grading');
    // Marked down to 0: the score drops by the one point the automatic mark gave.
    const marked = await teacher.request('PUT', markUrl(exam.id, attemptId, mc.id), { points: 0, basedOn: null });
    expect(marked.body).toMatchObject({ finalized: true, score: 8, manualPending: 0 });
    expect((await student.get(`/api/attempts/${attemptId}/result`)).body).toMatchObject({ state: 'graded', score: 8 });
  });

  it('counts a drawn question with the points of its section', async () => {
    const { exam } = await essayExam();
    const { attemptId } = await essayAttempt(exam.id);
    const mc = (await t.system.db.select().from(questions).where(eq(questions.examId, exam.id))).find(
      (q) => q.type === 'single_choice',
    )!;
    await t.system.db
      .update(attempts)
      .set({ drawnQuestions: { [mc.id]: { sectionId: randomUUID(), points: 3 } } })
      .where(eq(attempts.id, attemptId));
    // 3 instead of 1 for that question, right, so 2 more points of 2 more.
    expect(await gradeAttempt(t.system.db, attemptId)).toMatchObject({ score: 6, maxScore: 11, manualPending: 1 });
  });
});

describe('blind grading and access', () => {
  it('hides names and emails from the queue and the sheet, with a stable candidate label', async () => {
    const { exam, essayId } = await essayExam();
    await t.system.db.update(exams).set({ blindGrading: true }).where(eq(exams.id, exam.id));
    const { attemptId, email } = await essayAttempt(exam.id);
    const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
    const [u] = await t.system.db.select().from(users).where(eq(users.id, a!.userId));
    const queue = await teacher.get(`/api/exams/${exam.id}/grading`);
    const sheet = await teacher.get(sheetUrl(exam.id, attemptId));
    expect(queue.body.blind).toBe(true);
    expect(queue.body.byAttempt[0].candidate).toEqual({ label: 'Candidate 1', name: null, email: null });
    expect(sheet.body.candidate).toEqual({ label: 'Candidate 1', name: null, email: null });
    for (const body of [queue.body, sheet.body]) {
      const text = JSON.stringify(body);
      expect(text).not.toContain(email);
      expect(text).not.toContain(u!.name);
      expect(text).not.toContain(u!.id);
    }
    // The label stays with the attempt when another attempt joins the queue.
    await essayAttempt(exam.id);
    const again = (await teacher.get(`/api/exams/${exam.id}/grading`)).body;
    expect(again.byAttempt.find((r: { attemptId: string }) => r.attemptId === attemptId).candidate.label).toBe(
      'Candidate 1',
    );
    expect(again.byQuestion).toEqual([expect.objectContaining({ questionId: essayId, pending: 2 })]);
  });

  it('refuses proctors and students (403) and answers 404 to another teacher, changing nothing', async () => {
    const { exam, essayId } = await essayExam();
    const { attemptId } = await essayAttempt(exam.id);
    const proctor = await signedIn(t, 'proctor');
    const student = await signInStudent(t, attemptId);
    const other = await signedIn(t, 'teacher');
    for (const who of [proctor, student]) {
      expect((await who.get(`/api/exams/${exam.id}/grading`)).status).toBe(403);
      expect((await who.get(sheetUrl(exam.id, attemptId))).status).toBe(403);
      expect(
        (await who.request('PUT', markUrl(exam.id, attemptId, essayId), { points: 5, basedOn: null })).status,
      ).toBe(403);
    }
    expect((await other.get(`/api/exams/${exam.id}/grading`)).status).toBe(404);
    expect((await other.get(sheetUrl(exam.id, attemptId))).status).toBe(404);
    expect(
      (await other.request('PUT', markUrl(exam.id, attemptId, essayId), { points: 5, basedOn: null })).status,
    ).toBe(404);
    expect((await other.post(`${markUrl(exam.id, attemptId, essayId)}/remark`, {})).status).toBe(404);
    // An attempt of another exam is not found under this one.
    const { exam: second } = await essayExam();
    expect((await teacher.get(sheetUrl(second.id, attemptId))).status).toBe(404);
    const [row] = await t.system.db.select().from(answers).where(eq(answers.questionId, essayId));
    expect(row).toMatchObject({ needsManual: true, manualPoints: null });
  });
});

describe('demo data', () => {
  it('leaves two essays waiting in the queue and one marked, the same on a second load', async () => {
    await seedDemo(t.system.db);
    const teacherEmail = DEMO_ACCOUNTS.find((a) => a.role === 'teacher')!.email;
    const studentEmail = DEMO_ACCOUNTS.find((a) => a.role === 'student')!.email;
    const first = await seedDemoGrading(t.system.db, t.system.config.secret, teacherEmail, studentEmail);
    const again = await seedDemoGrading(t.system.db, t.system.config.secret, teacherEmail, studentEmail);
    expect(again).toEqual(first);
    const demoTeacher = new Client(t.url);
    const password = DEMO_ACCOUNTS.find((a) => a.role === 'teacher')!.password;
    expect((await demoTeacher.signIn(teacherEmail, password)).status).toBe(200);
    const queue = (await demoTeacher.get(`/api/exams/${first.examId}/grading`)).body;
    expect(queue).toMatchObject({ pendingAnswers: 2, pendingAttempts: 2 });
    expect(queue.items.every((i: { reason: string }) => i.reason === 'essay')).toBe(true);
    const marked = (await demoTeacher.get(`/api/exams/${first.examId}/grading/${first.attemptIds[1]}`)).body;
    expect(marked).toMatchObject({ manualPending: 0, score: 7, maxScore: 8 });
    const logged = await t.system.db.select().from(auditLogs).where(eq(auditLogs.action, 'answer.mark'));
    expect(logged.filter((l) => l.targetId === first.attemptIds[1])).toHaveLength(1);
  });
});
