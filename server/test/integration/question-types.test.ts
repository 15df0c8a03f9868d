// The six newer question types end to end: saved through the HTTP API (sanitised on create,
// update and import; unsafe patterns and emptied texts refused with the field named), seen by
// a student without their keys and never in the key's order, answered over the socket
// (essays sanitised, misfits refused), graded, and counted in the question statistics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { answers, examParticipants, exams, questions } from '../../src/db/schema/index.ts';
import { gradeAttempt } from '../../src/modules/grading/grading.service.ts';
import { transitionAttempt } from '../../src/modules/attempts/attempts.state.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { signedIn, startedAttempt } from '../support/fixtures.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo.seed.ts';
import { DEMO_TYPE_QUESTIONS, DEMO_TYPES_EXAM_TITLE, seedDemoTypes } from '../../src/demo/demo-types.seed.ts';
import { call, openSocket, type TestSocket } from '../support/sockets.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const XSS = '<img src="javascript:alert(1)" onerror="alert(2)"><script>alert(3)</script>';
const texts = (...pairs: [string, string][]) => pairs.map(([id, text]) => ({ id, text }));

const bodies = {
  short_answer: {
    type: 'short_answer',
    prompt: `<p>Capital of <strong>France</strong>?</p>${XSS}`,
    answerKey: { accepted: ['Paris'] },
  },
  numeric: {
    type: 'numeric',
    prompt: 'How long is the rod? $\\ell = ?$',
    points: 2,
    content: {
      units: [
        { unit: 'm', multiplier: 1 },
        { unit: 'cm', multiplier: 100 },
      ],
    },
    answerKey: { answers: [{ value: 1.5, tolerance: 0.05 }] },
  },
  essay: { type: 'essay', prompt: 'Discuss <em>briefly</em>.', points: 5, content: { wordLimit: 200 } },
  matching: {
    type: 'matching',
    prompt: 'Match the capitals',
    content: {
      stems: texts(['fr', `France${XSS}`], ['de', 'Germany'], ['it', 'Italy']),
      choices: texts(['paris', 'Paris'], ['berlin', 'Berlin'], ['rome', 'Rome'], ['oslo', 'Oslo']),
    },
    answerKey: {
      pairs: [
        { stemId: 'fr', choiceId: 'paris' },
        { stemId: 'de', choiceId: 'berlin' },
        { stemId: 'it', choiceId: 'rome' },
      ],
    },
  },
  ordering: {
    type: 'ordering',
    prompt: 'Smallest first',
    content: { items: texts(['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']) },
    answerKey: { order: ['a', 'b', 'c', 'd'] },
  },
  fill_blanks: {
    type: 'fill_blanks',
    prompt: 'Water is [[f]] and the sky is [[c]].',
    content: { gaps: [{ id: 'f' }, { id: 'c', options: texts(['r', 'red'], ['b', `blue${XSS}`]) }] },
    answerKey: {
      gaps: [
        { gapId: 'f', accepted: ['H2O'], caseSensitive: true },
        { gapId: 'c', accepted: ['b'] },
      ],
    },
  },
} as const;

async function draftExam(settings: Record<string, unknown> = {}) {
  const res = await teacher.post('/api/exams', {
    title: 'Types exam',
    durationMinutes: 30,
    availableAnytime: true,
    shuffleOptions: false,
    shuffleQuestions: false,
    ...settings,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

describe('saving the new types', () => {
  it('creates each type and stores its texts sanitised', async () => {
    const examId = await draftExam();
    for (const body of Object.values(bodies)) {
      const res = await teacher.post(`/api/exams/${examId}/questions`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(JSON.stringify(res.body)).not.toMatch(/script|onerror|javascript:/);
    }
    const stored = await t.system.db.select().from(questions).where(eq(questions.examId, examId));
    expect(stored).toHaveLength(6);
    expect(JSON.stringify(stored)).not.toMatch(/script|onerror|javascript:/);
    const sa = stored.find((q) => q.type === 'short_answer')!;
    expect(sa.prompt).toBe('<p>Capital of <strong>France</strong>?</p>');
    const fb = stored.find((q) => q.type === 'fill_blanks')!;
    expect(fb.prompt).toBe('Water is [[f]] and the sky is [[c]].');
    expect(JSON.stringify(fb.content)).toContain('"text":"blue"');
  });

  it('sanitises on update and import too', async () => {
    const examId = await draftExam();
    const created = await teacher.post(`/api/exams/${examId}/questions`, bodies.ordering);
    const put = await teacher.request('PUT', `/api/exams/${examId}/questions/${created.body.id}`, {
      ...bodies.ordering,
      prompt: `Order them <u>now</u>${XSS}`,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.prompt).toBe('Order them <u>now</u>');
    const imported = await teacher.post(`/api/exams/${examId}/questions/import`, {
      mode: 'append',
      document: { format: 'exam-hall.questions', version: 1, questions: [bodies.matching, bodies.short_answer] },
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const stored = await t.system.db.select().from(questions).where(eq(questions.examId, examId));
    expect(stored).toHaveLength(3);
    expect(JSON.stringify(stored)).not.toMatch(/script|onerror|javascript:/);
  });

  it('refuses a pattern that can backtrack catastrophically, and texts the sanitiser empties, naming the field', async () => {
    const examId = await draftExam();
    const redos = await teacher.post(`/api/exams/${examId}/questions`, {
      type: 'short_answer',
      prompt: 'Q',
      answerKey: { pattern: '(a+)+b' },
    });
    expect(redos.status).toBe(400);
    expect(redos.body.error.fields).toContainEqual({
      path: 'body.answerKey.pattern',
      message: expect.stringMatching(/repeats a group/),
    });
    const emptied = await teacher.post(`/api/exams/${examId}/questions`, {
      ...bodies.matching,
      content: { ...bodies.matching.content, stems: texts(['fr', XSS], ['de', 'Germany'], ['it', 'Italy']) },
    });
    expect(emptied.status).toBe(400);
    expect(emptied.body.error.fields).toContainEqual({
      path: 'body.content.stems.0.text',
      message: expect.stringMatching(/disallowed HTML/),
    });
    const imported = await teacher.post(`/api/exams/${examId}/questions/import`, {
      document: {
        format: 'exam-hall.questions',
        version: 1,
        questions: [bodies.numeric, { type: 'short_answer', prompt: 'Q', answerKey: { pattern: '(x|xx)*' } }],
      },
    });
    expect(imported.status).toBe(400);
    expect(imported.body.error.fields[0].path).toMatch(/answerKey\.pattern$/);
    expect(await t.system.db.select().from(questions).where(eq(questions.examId, examId))).toEqual([]);
  });
});

describe('taking and grading the new types', () => {
  it('shows no keys, never the key order, checks and sanitises answers, grades and counts them', async () => {
    const examId = await draftExam({ partialCreditRule: 'proportional', partialCreditPenalty: 0 });
    for (const body of Object.values(bodies)) {
      expect((await teacher.post(`/api/exams/${examId}/questions`, body)).status).toBe(201);
    }
    expect((await teacher.post(`/api/exams/${examId}/publish`)).status).toBe(200);
    const { student, attemptId } = await startedAttempt(t, teacher, examId);
    const socket = await openSocket(t.url, student);
    sockets.push(socket);
    const snap = await call(socket, 'attempt:join', { attemptId, deviceId: 'laptop-types-01' });
    const byType = Object.fromEntries(snap.questions.map((q: { type: string }) => [q.type, q])) as Record<string, any>;
    expect(Object.keys(byType).sort()).toEqual(Object.keys(bodies).sort());
    expect(JSON.stringify(snap.questions)).not.toMatch(/answerKey|accepted|pairs|"order"|H2O/);
    // Shuffle off for the exam, yet ordering and matching never show the key's order.
    expect(byType.ordering.content.items.map((i: { id: string }) => i.id)).not.toEqual(['a', 'b', 'c', 'd']);
    expect(byType.matching.content.choices.slice(0, 3).map((c: { id: string }) => c.id)).not.toEqual([
      'paris',
      'berlin',
      'rome',
    ]);
    expect(byType.essay.content).toEqual({ wordLimit: 200 });

    let seq = 0;
    const save = (type: string, response: unknown) =>
      call(socket, 'answer:save', { attemptId, seq: ++seq, questionId: byType[type].id, response });
    const refused = async (type: string, response: unknown) => {
      const reply = await (socket as any)
        .timeout(10_000)
        .emitWithAck('answer:save', { attemptId, seq: ++seq, questionId: byType[type].id, response });
      expect(reply.ok).toBe(false);
      return reply.error;
    };
    // Socket acks carry the code and message only (no field list): the message names the field. Nothing is stored.
    expect(await refused('numeric', { value: 150, unit: 'ft' })).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining("response.unit ('ft' is not one of this question's units)"),
    });
    expect(await refused('ordering', { order: ['a', 'zz'] })).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('response.order.1'),
    });
    expect(await t.system.db.select().from(answers).where(eq(answers.attemptId, attemptId))).toEqual([]);
    await save('short_answer', { text: '  paris ' });
    await save('numeric', { value: 148, unit: 'cm' }); // 1.48 m, within 0.05
    await save('essay', { html: `<p>My <strong>answer</strong></p>${XSS}` });
    await save('matching', {
      pairs: [
        { stemId: 'fr', choiceId: 'paris' },
        { stemId: 'de', choiceId: 'oslo' },
        { stemId: 'it', choiceId: 'rome' },
      ],
    });
    await save('ordering', { order: ['a', 'b', 'd', 'c'] });
    await save('fill_blanks', {
      gaps: [
        { gapId: 'f', value: 'h2o' },
        { gapId: 'c', value: 'b' },
      ],
    });
    const essayRow = (await t.system.db.select().from(answers).where(eq(answers.attemptId, attemptId))).find(
      (a) => a.questionId === byType.essay.id,
    )!;
    expect(essayRow.response).toEqual({ html: '<p>My <strong>answer</strong></p>' });

    await transitionAttempt(t.system.db, attemptId, 'submitted');
    const graded = await gradeAttempt(t.system.db, attemptId);
    // short 1 + numeric 2 + matching 2/3 + ordering 2/4 + gaps 1/2 = 4.67 of 11; the essay's 5 wait.
    expect(graded).toMatchObject({ maxScore: 11, manualPending: 1 });
    expect(graded!.score).toBeCloseTo(1 + 2 + 2 / 3 + 0.5 + 0.5, 1);
    const rows = await t.system.db.select().from(answers).where(eq(answers.attemptId, attemptId));
    const essay = rows.find((a) => a.questionId === byType.essay.id)!;
    expect(essay).toMatchObject({ needsManual: true, pointsAwarded: 0 });

    const stats = async () => {
      const res = await teacher.get(`/api/exams/${examId}/results/questions`);
      expect(res.status).toBe(200);

      return { ...res.body, row: (type: string) => res.body.questions.find((q: any) => q.type === type) };
    };
    // A provisional result (a hand mark still to come) stays out of the statistics.
    expect((await stats()).gradedAttempts).toBe(0);
    const marked = await teacher.request(
      'PUT',
      `/api/exams/${examId}/grading/${attemptId}/questions/${byType.essay.id}`,
      { points: 3.5, feedback: 'Good start', basedOn: null },
    );
    expect(marked.status, JSON.stringify(marked.body)).toBe(200);
    await gradeAttempt(t.system.db, attemptId);
    const s = await stats();
    expect(s.gradedAttempts).toBe(1);
    expect(s.row('short_answer').answers).toEqual([{ text: 'paris', count: 1, correct: true }]);
    expect(s.row('numeric').answers).toEqual([{ text: '1.48 m', count: 1, correct: true }]);
    expect(s.row('matching').answers).toEqual([
      { text: 'France → Paris; Germany → Oslo; Italy → Rome', count: 1, correct: false },
    ]);
    expect(s.row('fill_blanks').answers).toEqual([{ text: 'h2o | blue', count: 1, correct: false }]);
    expect(s.row('essay')).toMatchObject({
      answers: null,
      options: null,
      handMarks: { marked: 1, pending: 0, mean: 3.5 },
    });
  });
});

describe('demo data', () => {
  it('seeds a published exam with one question of each newer type, through the services, once', async () => {
    const db = t.system.db;
    await seedDemo(db);
    const email = (role: string) => DEMO_ACCOUNTS.find((a) => a.role === role)!.email;
    const first = await seedDemoTypes(db, t.system.config.secret, email('teacher'), email('student'));
    expect(await seedDemoTypes(db, t.system.config.secret, email('teacher'), email('student'))).toEqual(first);
    const [exam] = await db.select().from(exams).where(eq(exams.id, first.examId));
    expect(exam).toMatchObject({ title: DEMO_TYPES_EXAM_TITLE, status: 'published' });
    const qs = await db.select().from(questions).where(eq(questions.examId, first.examId));
    expect(qs.map((q) => q.type).sort()).toEqual(DEMO_TYPE_QUESTIONS.map((q) => q.type as string).sort());
    const invited = await db.select().from(examParticipants).where(eq(examParticipants.examId, first.examId));
    expect(invited.map((p) => p.email)).toEqual([email('student')]);
  });
});
