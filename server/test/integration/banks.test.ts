// Question banks and exam sections: a course's bank, an exam that takes a fixed list and a
// random draw from it, attempts that each record what they drew (different questions for
// different students), the student's view and saves of drawn questions, statistics per bank
// question, the guards (409s), ownership (404) and the audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { attempts, auditLogs, exams, questions } from '../../src/db/schema/index.ts';
import { studentQuestions } from '../../src/modules/questions/questions.student.ts';
import { gradeAttempt } from '../../src/modules/grading/grading.service.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import type { Client } from '../support/http-client.ts';
import { signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, openSocket } from '../support/sockets.ts';

let t: TestSystem;
let teacher: Client & { user: { id: string } };
let otherTeacher: Client;
let admin: Client;
let student: Client;
let courseId: string;
let bankId: string;
/** 30 questions tagged 'algebra' (10 of them hard), then 10 tagged 'geometry'. */
let bankQuestionIds: string[];

const tf = (i: number, over: Record<string, unknown> = {}) => ({
  type: 'true_false',
  prompt: `Statement ${i} is true.`,
  answerKey: { correct: i % 2 === 0 },
  points: 1 + (i % 3),
  ...over,
});

beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
  otherTeacher = await signedIn(t, 'teacher');
  admin = await signedIn(t, 'admin');
  student = await signedIn(t, 'student');
  const course = await teacher.post('/api/courses', { name: 'Mathematics 101' });
  expect(course.status, JSON.stringify(course.body)).toBe(201);
  courseId = course.body.id;
  const bank = await teacher.post(`/api/courses/${courseId}/banks`, { name: 'Algebra pool', description: 'Term 1' });
  expect(bank.status, JSON.stringify(bank.body)).toBe(201);
  bankId = bank.body.id;
  bankQuestionIds = [];
  for (let i = 0; i < 40; i++) {
    const body = tf(i, {
      tags: i < 30 ? ['algebra'] : ['geometry'],
      difficulty: i < 10 ? 'hard' : 'easy',
    });
    const res = await teacher.post(`/api/banks/${bankId}/questions`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    bankQuestionIds.push(res.body.id);
  }
});
afterAll(() => t?.close());

async function newExam(title: string, withCourse = true) {
  const res = await teacher.post('/api/exams', {
    title,
    durationMinutes: 30,
    availableAnytime: true,
    shuffleQuestions: true,
    ...(withCourse ? { courseId } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const own = await teacher.post(`/api/exams/${res.body.id}/questions`, tf(99, { prompt: 'The exam’s own question.' }));
  expect(own.status).toBe(201);
  return { id: res.body.id as string, ownQuestionId: own.body.id as string };
}

describe('banks', () => {
  it('keeps bank questions apart from exams, with tags, difficulty and position', async () => {
    const list = await teacher.get(`/api/banks/${bankId}/questions`);
    expect(list.status).toBe(200);
    expect(list.body.questions).toHaveLength(40);
    expect(list.body.questions[0]).toMatchObject({
      bankId,
      examId: null,
      position: 0,
      tags: ['algebra'],
      difficulty: 'hard',
    });
    const bank = await teacher.get(`/api/banks/${bankId}`);
    expect(bank.body).toMatchObject({
      courseId,
      name: 'Algebra pool',
      questionCount: 40,
      tags: ['algebra', 'geometry'],
    });
    const banks = await teacher.get(`/api/courses/${courseId}/banks`);
    expect(banks.body.banks.map((b: { id: string }) => b.id)).toEqual([bankId]);
  });

  it('validates bank questions exactly like exam questions, naming the field and storing nothing', async () => {
    const bad = await teacher.post(`/api/banks/${bankId}/questions`, {
      type: 'single_choice',
      prompt: 'Which?',
      content: { options: [{ id: 'a', text: 'A' }] },
      answerKey: { correct: 'z' },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.fields)).toMatch(/body\./);
    expect((await teacher.get(`/api/banks/${bankId}`)).body.questionCount).toBe(40);
  });

  it('answers 404 to a teacher of another course and 403 to a student, changing nothing', async () => {
    for (const path of [`/api/banks/${bankId}`, `/api/banks/${bankId}/questions`, `/api/banks/${bankId}/stats`]) {
      expect((await otherTeacher.get(path)).status).toBe(404);
      expect((await student.get(path)).status).toBe(403);
    }
    expect((await otherTeacher.get(`/api/courses/${courseId}/banks`)).status).toBe(404);
    expect((await otherTeacher.post(`/api/courses/${courseId}/banks`, { name: 'Mine now' })).status).toBe(404);
    expect((await otherTeacher.post(`/api/banks/${bankId}/questions`, tf(1))).status).toBe(404);
    expect((await otherTeacher.request('PUT', `/api/banks/${bankId}`, { name: 'Renamed' })).status).toBe(404);
    expect((await otherTeacher.delete(`/api/banks/${bankId}`)).status).toBe(404);
    expect((await admin.get(`/api/banks/${bankId}`)).status).toBe(200);
    expect((await teacher.get(`/api/banks/${bankId}`)).body).toMatchObject({ name: 'Algebra pool', questionCount: 40 });
  });

  it('renames and soft-deletes a bank, audited', async () => {
    const spare = (await teacher.post(`/api/courses/${courseId}/banks`, { name: 'Spare' })).body;
    const renamed = await teacher.request('PUT', `/api/banks/${spare.id}`, { name: 'Spare pool', description: null });
    expect(renamed.body.name).toBe('Spare pool');
    expect((await teacher.delete(`/api/banks/${spare.id}`)).status).toBe(204);
    expect((await teacher.get(`/api/banks/${spare.id}`)).status).toBe(404);
    const trail = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, spare.id));
    expect(trail.map((e) => e.action).sort()).toEqual(['bank.created', 'bank.deleted', 'bank.updated']);
  });
});

describe('sections', () => {
  it('refuses a random section whose filter matches fewer questions than it draws (409 naming how many)', async () => {
    const exam = await newExam('Too greedy');
    const res = await teacher.post(`/api/exams/${exam.id}/sections`, {
      kind: 'random',
      bankId,
      drawCount: 11,
      tag: 'algebra',
      difficulty: 'hard',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/Only 10 questions .* match tag "algebra" and difficulty hard/);
    expect(res.body.error.fields).toEqual([{ path: 'body.drawCount', message: expect.stringContaining('10') }]);
    expect((await teacher.get(`/api/exams/${exam.id}/sections`)).body.sections).toEqual([]);
  });

  it('takes questions only from banks of the exam’s own course that the teacher manages', async () => {
    const exam = await newExam('Elsewhere', false);
    const res = await teacher.post(`/api/exams/${exam.id}/sections`, { kind: 'random', bankId, drawCount: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].path).toBe('body.bankId');
    const theirs = (
      await otherTeacher.post('/api/exams', { title: 'Theirs', durationMinutes: 10, availableAnytime: true })
    ).body;
    const stolen = await otherTeacher.post(`/api/exams/${theirs.id}/sections`, {
      kind: 'random',
      bankId,
      drawCount: 1,
    });
    expect(stolen.status).toBe(400);
    const mine = await newExam('Mine');
    expect((await otherTeacher.get(`/api/exams/${mine.id}/sections`)).status).toBe(404);
    const notInBank = await teacher.post(`/api/exams/${mine.id}/sections`, {
      kind: 'fixed',
      bankId,
      questionIds: [bankQuestionIds[0], mine.ownQuestionId],
    });
    expect(notInBank.status).toBe(400);
    expect(notInBank.body.error.fields).toEqual([{ path: 'body.questionIds.1', message: expect.any(String) }]);
  });
});

describe('an exam drawn from a bank', () => {
  let exam: { id: string; ownQuestionId: string };
  let fixedSection: string;
  let randomSection: string;
  const fixedIds = () => [bankQuestionIds[30]!, bankQuestionIds[31]!];
  let drawnRows: (typeof attempts.$inferSelect)[] = [];
  let savedOn = '';
  let savedRight = false;

  it('keeps the exam’s question count and total points right', async () => {
    exam = await newExam('Algebra test');
    const fixed = await teacher.post(`/api/exams/${exam.id}/sections`, {
      kind: 'fixed',
      title: 'Geometry warm-up',
      bankId,
      questionIds: fixedIds(),
      pointsEach: 3,
    });
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(201);
    fixedSection = fixed.body.id;
    const random = await teacher.post(`/api/exams/${exam.id}/sections`, {
      kind: 'random',
      title: 'Algebra',
      bankId,
      drawCount: 15,
      tag: 'algebra',
      pointsEach: 2,
    });
    expect(random.status, JSON.stringify(random.body)).toBe(201);
    randomSection = random.body.id;
    expect(random.body).toMatchObject({ position: 1, questionCount: 15, available: 30, bankName: 'Algebra pool' });
    const [row] = await t.system.db.select().from(exams).where(eq(exams.id, exam.id));
    // The own question (tf(99): 1 point), 2 fixed x 3 points, 15 drawn x 2 points.
    expect(row).toMatchObject({ questionCount: 18, totalPoints: 1 + 6 + 30 });
    expect((await teacher.post(`/api/exams/${exam.id}/publish`)).status).toBe(200);
  });

  it('gives two attempts different questions from the same bank, recording what each drew', async () => {
    const algebra = new Set(bankQuestionIds.slice(0, 30));
    const started = [];
    // 15 of 30 drawn: two equal draws have probability 1 / C(30,15) ≈ 6e-9; a third attempt is the bound.
    for (let i = 0; i < 3; i++) {
      started.push(await startedAttempt(t, teacher, exam.id));
      const ids = started.map((s) => s.attemptId);
      drawnRows = await t.system.db.select().from(attempts).where(inArray(attempts.id, ids));
      const sets = drawnRows.map((a) =>
        Object.entries(a.drawnQuestions)
          .filter(([, d]) => d.sectionId === randomSection)
          .map(([id]) => id)
          .sort()
          .join(),
      );
      if (new Set(sets).size > 1) break;
    }
    expect(drawnRows.length).toBeGreaterThanOrEqual(2);
    for (const a of drawnRows) {
      const drawn = Object.entries(a.drawnQuestions);
      const random = drawn.filter(([, d]) => d.sectionId === randomSection);
      const fixed = drawn.filter(([, d]) => d.sectionId === fixedSection);
      expect(random).toHaveLength(15);
      expect(random.every(([id, d]) => algebra.has(id) && d.points === 2)).toBe(true);
      expect(fixed.map(([id]) => id).sort()).toEqual([...fixedIds()].sort());
      expect(fixed.every(([, d]) => d.points === 3)).toBe(true);
      // Every question once: the exam's own and the 17 from its sections.
      expect(a.questionOrder).toHaveLength(18);
      expect(new Set(a.questionOrder).size).toBe(18);
      expect(new Set(a.questionOrder)).toEqual(new Set([exam.ownQuestionId, ...drawn.map(([id]) => id)]));
    }
    const randomSets = drawnRows.map((a) =>
      Object.keys(a.drawnQuestions)
        .filter((id) => a.drawnQuestions[id]!.sectionId === randomSection)
        .sort()
        .join(),
    );
    expect(new Set(randomSets).size).toBeGreaterThan(1);

    // The student sees the drawn questions (at their section's points) and can answer them.
    const first = started[0]!;
    const a = drawnRows.find((r) => r.id === first.attemptId)!;
    const seen = await studentQuestions(t.system.db, exam.id, a.questionOrder, a.optionOrder, a.drawnQuestions);
    expect(seen.map((q) => q.id)).toEqual(a.questionOrder);
    const drawnId = Object.keys(a.drawnQuestions).find((id) => a.drawnQuestions[id]!.sectionId === randomSection)!;
    expect(seen.find((q) => q.id === drawnId)).toMatchObject({ points: 2, type: 'true_false' });
    expect(JSON.stringify(seen)).not.toContain('correct');

    const socket = await openSocket(t.url, first.student);
    try {
      const snapshot = await call(socket, 'attempt:join', { attemptId: first.attemptId, deviceId: 'bank-device-0001' });
      expect(snapshot.questions.map((q: { id: string }) => q.id)).toEqual(a.questionOrder);
      const ack = await call(socket, 'answer:save', {
        attemptId: first.attemptId,
        seq: 1,
        questionId: drawnId,
        response: { value: true },
        flagged: false,
      });
      expect(ack).toMatchObject({ seq: 1, applied: true });
      savedOn = drawnId;
      // A bank question this attempt did not draw is refused.
      const notDrawn = bankQuestionIds.find((id) => !a.questionOrder.includes(id))!;
      await expect(
        call(socket, 'answer:save', {
          attemptId: first.attemptId,
          seq: 2,
          questionId: notDrawn,
          response: { value: true },
          flagged: false,
        }),
      ).rejects.toThrow();
      // Submitted and graded: the drawn question counts at its section's points.
      await call(socket, 'attempt:submit', { attemptId: first.attemptId });
      await gradeAttempt(t.system.db, first.attemptId);
      const [after] = await t.system.db.select().from(attempts).where(eq(attempts.id, first.attemptId));
      // tf(i) is true for even i; the answer was 'true'.
      savedRight = bankQuestionIds.indexOf(drawnId) % 2 === 0;
      expect(after!.maxScore).toBe(1 + 2 * 3 + 15 * 2);
      expect(after!.score).toBe(savedRight ? 2 : 0);
    } finally {
      socket.close();
    }
  });

  it('counts attempts and answers per bank question, per exam', async () => {
    const res = await teacher.get(`/api/banks/${bankId}/stats`);
    expect(res.status).toBe(200);
    const stats = res.body.questions as {
      questionId: string;
      attempts: number;
      answered: number;
      exams: { examId: string; attempts: number }[];
    }[];
    expect(stats).toHaveLength(40);
    const expected = new Map<string, number>();
    for (const a of drawnRows)
      for (const id of Object.keys(a.drawnQuestions)) expected.set(id, (expected.get(id) ?? 0) + 1);
    for (const s of stats) {
      expect(s.attempts, s.questionId).toBe(expected.get(s.questionId) ?? 0);
      if (s.attempts) expect(s.exams).toEqual([expect.objectContaining({ examId: exam.id, attempts: s.attempts })]);
      else expect(s.exams).toEqual([]);
    }
    // Both fixed questions went to every attempt; one answer was saved in all.
    expect(stats.find((s) => s.questionId === fixedIds()[0])!.attempts).toBe(drawnRows.length);
    expect(stats.reduce((n, s) => n + s.answered, 0)).toBe(1);
    // The graded answer: a mean score and a correct rate for its question, none for the others.
    const answered = stats.find((s) => s.questionId === savedOn) as (typeof stats)[number] & {
      meanScore: number | null;
      correctRate: number | null;
    };
    expect(answered).toMatchObject({ answered: 1, meanScore: savedRight ? 1 : 0, correctRate: savedRight ? 1 : 0 });
  });

  it('guards what attempts and sections depend on, changing nothing', async () => {
    const drawn = Object.keys(drawnRows[0]!.drawnQuestions)[0]!;
    const edit = await teacher.request('PUT', `/api/banks/${bankId}/questions/${drawn}`, tf(5, { prompt: 'Changed' }));
    expect(edit.status).toBe(409);
    expect(edit.body.error.message).toMatch(/already drawn this question/);
    expect((await teacher.delete(`/api/banks/${bankId}/questions/${drawn}`)).status).toBe(409);
    // The exam has attempts: its sections are fixed now.
    const more = await teacher.post(`/api/exams/${exam.id}/sections`, { kind: 'random', bankId, drawCount: 1 });
    expect(more.status).toBe(409);
    expect((await teacher.delete(`/api/banks/${bankId}`)).status).toBe(409);
    const [q] = await t.system.db.select().from(questions).where(eq(questions.id, drawn));
    expect(q!.prompt).not.toBe('Changed');

    // A question nobody drew, but a random section needs: deleting one of 30 'algebra' would leave 29 < 30.
    const needy = await newExam('Needs them all');
    expect(
      (await teacher.post(`/api/exams/${needy.id}/sections`, { kind: 'random', bankId, drawCount: 30, tag: 'algebra' }))
        .status,
    ).toBe(201);
    const heldIds = new Set(drawnRows.flatMap((a) => Object.keys(a.drawnQuestions)));
    const free = bankQuestionIds.slice(0, 30).find((id) => !heldIds.has(id))!;
    const del = await teacher.delete(`/api/banks/${bankId}/questions/${free}`);
    expect(del.status).toBe(409);
    expect(del.body.error.message).toMatch(/"Needs them all" draws 30 .* only 29 would match/);
    expect((await teacher.get(`/api/banks/${bankId}`)).body.questionCount).toBe(40);
  });

  it('audits section and bank question changes', async () => {
    const entries = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetType, 'exam_section'), eq(auditLogs.action, 'section.created')));
    expect(entries.map((e) => e.targetId)).toEqual(expect.arrayContaining([fixedSection, randomSection]));
    const created = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'question.created'), eq(auditLogs.targetId, bankQuestionIds[0]!)));
    expect(created[0]!.details).toMatchObject({ bankId, type: 'true_false', position: 0 });
  });
});
