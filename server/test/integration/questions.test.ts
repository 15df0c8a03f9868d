import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { attempts, auditLogs, examParticipants } from '../../src/db/schema/index.ts';
import { planAttemptOrders, studentQuestions } from '../../src/modules/questions/questions.service.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';

let t: TestSystem;
let teacher: Client;
let teacherId: string;
let otherTeacher: Client;
let student: Client;
let admin: Client;

async function signedIn(role: 'teacher' | 'student' | 'admin') {
  const user = await t.createUser(role);
  const c = new Client(t.url);
  expect((await c.signIn(user.email, user.password)).status).toBe(200);
  return { c, id: user.id };
}

beforeAll(async () => {
  t = await startTestSystem();
  ({ c: teacher, id: teacherId } = await signedIn('teacher'));
  ({ c: otherTeacher } = await signedIn('teacher'));
  ({ c: student } = await signedIn('student'));
  ({ c: admin } = await signedIn('admin'));
});
afterAll(() => t?.close());

async function newExam(title = 'Geography quiz'): Promise<string> {
  const res = await teacher.post('/api/exams', { title, durationMinutes: 30, availableAnytime: true });
  expect(res.status).toBe(201);
  return res.body.id;
}

const single = (over: Record<string, unknown> = {}) => ({
  type: 'single_choice',
  prompt: 'Capital of France?',
  content: {
    options: [
      { id: 'a', text: 'Lyon' },
      { id: 'b', text: 'Paris' },
      { id: 'c', text: 'Nice' },
    ],
  },
  answerKey: { correct: 'b' },
  points: 2,
  explanation: 'Paris has been the capital since 987.',
  difficulty: 'easy',
  tags: ['europe', 'capitals'],
  ...over,
});
const multiple = (over: Record<string, unknown> = {}) => ({
  type: 'multiple_choice',
  prompt: 'Which are rivers?',
  content: {
    options: [
      { id: 'a', text: 'Seine' },
      { id: 'b', text: 'Alps' },
      { id: 'c', text: 'Loire' },
    ],
  },
  answerKey: { correct: ['a', 'c'] },
  points: 3,
  ...over,
});
const trueFalse = (over: Record<string, unknown> = {}) => ({
  type: 'true_false',
  prompt: 'The Rhine flows through Paris.',
  answerKey: { correct: false },
  ...over,
});

async function add(examId: string, body: Record<string, unknown>, c = teacher) {
  const res = await c.post(`/api/exams/${examId}/questions`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function list(examId: string) {
  const res = await teacher.get(`/api/exams/${examId}/questions`);
  expect(res.status).toBe(200);
  return res.body.questions as any[];
}

function put(c: Client, path: string, body: unknown) {
  return c.request('PUT', path, body);
}

describe('creating and reading', () => {
  it('adds each type at the end and keeps exam totals right', async () => {
    const examId = await newExam();
    const q1 = await add(examId, single());
    const q2 = await add(examId, multiple());
    const q3 = await add(examId, trueFalse());
    expect(q1).toMatchObject({
      examId,
      type: 'single_choice',
      position: 0,
      points: 2,
      difficulty: 'easy',
      tags: ['europe', 'capitals'],
      answerKey: { correct: 'b' },
      explanation: 'Paris has been the capital since 987.',
    });
    expect(q2).toMatchObject({ type: 'multiple_choice', position: 1, answerKey: { correct: ['a', 'c'] } });
    expect(q3).toMatchObject({
      type: 'true_false',
      position: 2,
      content: {},
      points: 1,
      tags: [],
      explanation: null,
      difficulty: null,
    });
    expect((await list(examId)).map((q) => q.id)).toEqual([q1.id, q2.id, q3.id]);
    const one = await teacher.get(`/api/exams/${examId}/questions/${q2.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(q2);
    const exam = await teacher.get(`/api/exams/${examId}`);
    expect(exam.body).toMatchObject({ questionCount: 3, totalPoints: 6 });
  });

  it('answers 404 for a question of another exam or none', async () => {
    const a = await newExam();
    const b = await newExam();
    const q = await add(a, trueFalse());
    expect((await teacher.get(`/api/exams/${b}/questions/${q.id}`)).status).toBe(404);
    expect((await teacher.get(`/api/exams/${a}/questions/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await teacher.get(`/api/exams/${a}/questions/not-a-uuid`)).body.error.fields[0].path).toBe(
      'params.questionId',
    );
  });

  it('serialises concurrent additions to one exam into distinct positions', async () => {
    const examId = await newExam();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        teacher.post(`/api/exams/${examId}/questions`, trueFalse({ prompt: `Q${i}` })),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect((await list(examId)).map((q) => q.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('validation', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['empty prompt', single({ prompt: '' }), 'body.prompt', /required/],
    [
      'one option',
      single({ content: { options: [{ id: 'a', text: 'A' }] }, answerKey: { correct: 'a' } }),
      'body.content.options',
      /at least 2/,
    ],
    ['key not an option', single({ answerKey: { correct: 'z' } }), 'body.answerKey.correct', /not one of the options/],
    [
      'two correct in single choice',
      single({ answerKey: { correct: ['a', 'b'] } }),
      'body.answerKey.correct',
      /exactly one/,
    ],
    ['no correct option', multiple({ answerKey: { correct: [] } }), 'body.answerKey.correct', /at least one/],
    [
      'duplicate option id',
      single({
        content: {
          options: [
            { id: 'a', text: 'A' },
            { id: 'a', text: 'B' },
          ],
        },
        answerKey: { correct: 'a' },
      }),
      'body.content.options.1.id',
      /used twice/,
    ],
    ['zero points', trueFalse({ points: 0 }), 'body.points', /more than 0/],
    ['too many points', trueFalse({ points: 1001 }), 'body.points', /at most 1000/],
    ['long tag', trueFalse({ tags: ['x'.repeat(51)] }), 'body.tags.0', /at most 50/],
    ['bad difficulty', trueFalse({ difficulty: 'brutal' }), 'body.difficulty', /easy, medium or hard/],
    ['long explanation', trueFalse({ explanation: 'x'.repeat(5001) }), 'body.explanation', /at most 5000/],
    ['unknown type', { type: 'hotspot', prompt: 'Write.' }, 'body.type', /one of/],
  ];

  it.each(cases)('refuses %s naming the field', async (_name, body, path, message) => {
    const examId = await newExam();
    const res = await teacher.post(`/api/exams/${examId}/questions`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.fields).toContainEqual({ path, message: expect.stringMatching(message) });
    expect(await list(examId)).toEqual([]);
  });
});

describe('replacing', () => {
  it('replaces every field, may change the type, keeps the position', async () => {
    const examId = await newExam();
    await add(examId, trueFalse());
    const q = await add(examId, single());
    const res = await put(teacher, `/api/exams/${examId}/questions/${q.id}`, multiple({ prompt: 'Now several.' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: q.id,
      type: 'multiple_choice',
      prompt: 'Now several.',
      position: 1,
      tags: [],
      explanation: null,
    });
    expect((await teacher.get(`/api/exams/${examId}`)).body.totalPoints).toBe(4);
    const bad = await put(teacher, `/api/exams/${examId}/questions/${q.id}`, single({ answerKey: { correct: 'q' } }));
    expect(bad.status).toBe(400);
    expect((await teacher.get(`/api/exams/${examId}/questions/${q.id}`)).body.type).toBe('multiple_choice');
  });
});

describe('ordering', () => {
  it('reorders to exactly the given list', async () => {
    const examId = await newExam();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await add(examId, trueFalse({ prompt: `Q${i}` }))).id);
    const order = [ids[2], ids[0], ids[3], ids[1]];
    const res = await teacher.post(`/api/exams/${examId}/questions/reorder`, { questionIds: order });
    expect(res.status).toBe(200);
    expect(res.body.questions.map((q: any) => [q.id, q.position])).toEqual(order.map((id, i) => [id, i]));
    expect((await list(examId)).map((q) => q.id)).toEqual(order);
  });

  it('refuses a list that is not exactly the exam questions, naming the problem', async () => {
    const examId = await newExam();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await add(examId, trueFalse({ prompt: `Q${i}` }))).id);
    const path = `/api/exams/${examId}/questions/reorder`;

    const missing = await teacher.post(path, { questionIds: [ids[1], ids[0]] });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields).toEqual([{ path: 'body.questionIds', message: expect.stringContaining(ids[2]) }]);

    const twice = await teacher.post(path, { questionIds: [ids[0], ids[1], ids[2], ids[0]] });
    expect(twice.body.error.fields).toEqual([
      { path: 'body.questionIds.3', message: expect.stringMatching(/more than once/) },
    ]);

    const foreign = crypto.randomUUID();
    const stranger = await teacher.post(path, { questionIds: [ids[0], ids[1], foreign] });
    expect(stranger.body.error.fields).toContainEqual({
      path: 'body.questionIds.2',
      message: `${foreign} is not a question of this exam`,
    });
    expect(stranger.body.error.fields).toContainEqual({
      path: 'body.questionIds',
      message: expect.stringContaining(ids[2]),
    });

    const notIds = await teacher.post(path, { questionIds: ['x'] });
    expect(notIds.body.error.fields[0].path).toBe('body.questionIds.0');

    expect((await list(examId)).map((q) => q.id)).toEqual(ids);
  });

  it('closes the gap when a question is deleted', async () => {
    const examId = await newExam();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await add(examId, trueFalse({ prompt: `Q${i}`, points: i + 1 }))).id);
    const del = await teacher.delete(`/api/exams/${examId}/questions/${ids[1]}`);
    expect(del.status).toBe(204);
    expect((await list(examId)).map((q) => [q.id, q.position])).toEqual([
      [ids[0], 0],
      [ids[2], 1],
      [ids[3], 2],
    ]);
    expect((await teacher.get(`/api/exams/${examId}`)).body).toMatchObject({ questionCount: 3, totalPoints: 8 });
    expect((await teacher.delete(`/api/exams/${examId}/questions/${ids[1]}`)).status).toBe(404);
    // The next question goes after the last, with no hole.
    expect((await add(examId, trueFalse())).position).toBe(3);
  });
});

describe('export and import', () => {
  it('round-trips: export, import into another exam, export again gives the same questions', async () => {
    const source = await newExam('Rivers & Capitals: 2026!');
    await add(source, single());
    await add(source, multiple());
    await add(source, trueFalse());
    const exported = await teacher.get(`/api/exams/${source}/questions/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toBe(
      'attachment; filename="rivers-capitals-2026-questions.json"',
    );
    expect(exported.body).toMatchObject({ format: 'exam-hall.questions', version: 1 });
    expect(exported.body.questions).toHaveLength(3);
    expect(exported.body.questions[0]).not.toHaveProperty('id');
    expect(exported.body.questions[0]).not.toHaveProperty('position');

    const target = await newExam();
    await add(target, trueFalse({ prompt: 'Already here.' }));
    const imported = await teacher.post(`/api/exams/${target}/questions/import`, {
      document: exported.body,
      mode: 'append',
    });
    expect(imported.status).toBe(200);
    expect(imported.body.imported).toBe(3);
    expect(imported.body.questions.map((q: any) => q.position)).toEqual([0, 1, 2, 3]);

    const replaced = await teacher.post(`/api/exams/${target}/questions/import`, {
      document: exported.body,
      mode: 'replace',
    });
    expect(replaced.status).toBe(200);
    const again = await teacher.get(`/api/exams/${target}/questions/export`);
    expect(again.body.questions).toEqual(exported.body.questions);
    expect((await teacher.get(`/api/exams/${target}`)).body).toMatchObject({ questionCount: 3, totalPoints: 6 });
  });

  it('imports nothing when one question is bad, and names its index and field', async () => {
    const examId = await newExam();
    await add(examId, trueFalse());
    const document = {
      format: 'exam-hall.questions',
      version: 1,
      questions: [
        single(),
        multiple(),
        trueFalse(),
        single({ content: { options: [{ id: 'a', text: 'A' }] }, answerKey: { correct: 'a' } }),
      ],
    };
    for (const mode of ['append', 'replace']) {
      const res = await teacher.post(`/api/exams/${examId}/questions/import`, { document, mode });
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual([
        { path: 'body.document.questions.3.content.options', message: 'Give at least 2 options' },
      ]);
      expect(res.body.error.message).toContain('body.document.questions.3.content.options');
    }
    expect(await list(examId)).toHaveLength(1);
    const wrongFormat = await teacher.post(`/api/exams/${examId}/questions/import`, {
      document: { ...document, format: 'other', questions: [] },
    });
    expect(wrongFormat.body.error.fields).toEqual([
      { path: 'body.document.format', message: expect.stringContaining('exam-hall.questions') },
    ]);
  });
});

describe('access', () => {
  let examId: string;
  let questionId: string;
  beforeAll(async () => {
    examId = await newExam();
    questionId = (await add(examId, single())).id;
  });
  const routes = () => {
    const base = `/api/exams/${examId}/questions`;
    const doc = { format: 'exam-hall.questions', version: 1, questions: [] };
    return [
      ['GET', base, undefined],
      ['POST', base, trueFalse()],
      ['GET', `${base}/export`, undefined],
      ['POST', `${base}/reorder`, { questionIds: [questionId] }],
      ['POST', `${base}/import`, { document: doc, mode: 'replace' }],
      ['GET', `${base}/${questionId}`, undefined],
      ['PUT', `${base}/${questionId}`, trueFalse()],
      ['DELETE', `${base}/${questionId}`, undefined],
    ] as const;
  };

  it('another teacher gets 404 on every route, and nothing changes', async () => {
    for (const [method, path, body] of routes()) {
      const res = await otherTeacher.request(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect(await list(examId)).toHaveLength(1);
  });

  it('a student gets 403 on every route', async () => {
    for (const [method, path, body] of routes()) {
      expect((await student.request(method, path, body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('signed out gets 401; an admin may read and change', async () => {
    expect((await new Client(t.url).get(`/api/exams/${examId}/questions`)).status).toBe(401);
    expect((await admin.get(`/api/exams/${examId}/questions`)).body.questions).toHaveLength(1);
    expect((await admin.post(`/api/exams/${examId}/questions`, trueFalse())).status).toBe(201);
  });
});

describe('after students have attempts', () => {
  it('refuses content changes with 409 but still allows reading and reordering', async () => {
    const examId = await newExam();
    const q1 = await add(examId, single());
    const q2 = await add(examId, trueFalse());
    expect((await teacher.post(`/api/exams/${examId}/publish`)).status).toBe(200);
    const learner = await t.createUser('student');
    const [participant] = await t.system.db
      .insert(examParticipants)
      .values({ examId, userId: learner.id, email: learner.email, accessCodeHash: randomBytes(16).toString('hex') })
      .returning();
    await t.system.db.insert(attempts).values({ examId, participantId: participant!.id, userId: learner.id });

    const base = `/api/exams/${examId}/questions`;
    const doc = { format: 'exam-hall.questions', version: 1, questions: [trueFalse()] };
    const refused = [
      await teacher.post(base, trueFalse()),
      await put(teacher, `${base}/${q1.id}`, single({ points: 10 })),
      await teacher.delete(`${base}/${q1.id}`),
      await teacher.post(`${base}/import`, { document: doc, mode: 'append' }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/results would change/);
    }
    expect((await teacher.post(`${base}/reorder`, { questionIds: [q2.id, q1.id] })).status).toBe(200);
    expect((await list(examId)).map((q) => q.points)).toEqual([1, 2]);
  });

  it('refuses changes to an archived exam', async () => {
    const examId = await newExam();
    await add(examId, trueFalse());
    expect((await teacher.post(`/api/exams/${examId}/archive`)).status).toBe(200);
    const res = await teacher.post(`/api/exams/${examId}/questions`, trueFalse());
    expect(res.status).toBe(409);
  });
});

describe('student view', () => {
  it('returns questions in the attempt order without keys or explanations', async () => {
    const examId = await newExam();
    const q1 = await add(examId, single());
    const q2 = await add(examId, trueFalse());
    const q3 = await add(examId, multiple());
    const plain = await planAttemptOrders(t.system.db, examId, { shuffleQuestions: false, shuffleOptions: false });
    expect(plain).toEqual({
      questionOrder: [q1.id, q2.id, q3.id],
      optionOrder: { [q1.id]: ['a', 'b', 'c'], [q3.id]: ['a', 'b', 'c'] },
    });

    const view = await studentQuestions(t.system.db, examId, [q3.id, q1.id, q2.id], { [q3.id]: ['c', 'b', 'a'] });
    expect(view.map((q) => q.id)).toEqual([q3.id, q1.id, q2.id]);
    expect(view[0]).toEqual({
      id: q3.id,
      type: 'multiple_choice',
      prompt: 'Which are rivers?',
      points: 3,
      content: {
        options: [
          { id: 'c', text: 'Loire' },
          { id: 'b', text: 'Alps' },
          { id: 'a', text: 'Seine' },
        ],
      },
    });
    expect(view[1]!.content).toEqual(q1.content);
    expect(view[2]).toEqual({ id: q2.id, type: 'true_false', prompt: q2.prompt, points: 1, content: {} });
    for (const q of view) {
      expect(q).not.toHaveProperty('answerKey');
      expect(q).not.toHaveProperty('explanation');
    }
  });
});

describe('audit log', () => {
  it('records every change', async () => {
    const examId = await newExam();
    const q1 = await add(examId, single());
    const q2 = await add(examId, trueFalse());
    await put(teacher, `/api/exams/${examId}/questions/${q1.id}`, single({ points: 5, prompt: 'Changed?' }));
    await teacher.post(`/api/exams/${examId}/questions/reorder`, { questionIds: [q2.id, q1.id] });
    await teacher.delete(`/api/exams/${examId}/questions/${q2.id}`);
    const doc = { format: 'exam-hall.questions', version: 1, questions: [trueFalse(), multiple()] };
    await teacher.post(`/api/exams/${examId}/questions/import`, { document: doc, mode: 'append' });

    const forQuestion = async (id: string) =>
      (await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, id))).map((r) => [r.action, r.details]);
    expect(await forQuestion(q1.id)).toEqual([
      ['question.created', { examId, type: 'single_choice', position: 0 }],
      ['question.updated', { examId, fields: ['prompt', 'points'] }],
    ]);
    expect(await forQuestion(q2.id)).toEqual([
      ['question.created', { examId, type: 'true_false', position: 1 }],
      ['question.deleted', { examId, type: 'true_false', position: 0 }],
    ]);
    const examRows = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetType, 'exam'), eq(auditLogs.targetId, examId)));
    const byAction = Object.fromEntries(examRows.map((r) => [r.action, r]));
    expect(byAction['questions.reordered']!.details).toEqual({ count: 2 });
    expect(byAction['questions.imported']!.details).toEqual({ count: 2, mode: 'append' });
    expect(byAction['questions.imported']!.actorId).toBe(teacherId);
    expect(byAction['questions.imported']!.ipHash).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('OpenAPI', () => {
  it('documents the question routes', async () => {
    const doc = await teacher.get('/api/openapi.json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths;
    expect(Object.keys(paths['/api/exams/{examId}/questions'])).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/exams/{examId}/questions/{questionId}'])).toEqual(['get', 'put', 'delete']);
    expect(paths['/api/exams/{examId}/questions/import'].post.requestBody).toBeDefined();
  });
});
