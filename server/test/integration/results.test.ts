import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { answers, attempts, auditLogs, certificates, questions, users } from '../../src/db/schema/index.ts';
import { gradeAttempt } from '../../src/modules/grading/grading.service.ts';
import { transitionAttempt } from '../../src/modules/attempts/attempts.state.ts';
import { parseCsv } from '../../src/lib/csv.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
let stranger: Awaited<ReturnType<typeof signedIn>>;
let student: Awaited<ReturnType<typeof signedIn>>;
let certificateQueue: Queue;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
  stranger = await signedIn(t, 'teacher');
  student = await signedIn(t, 'student');
  // Nothing consumes this queue here: the jobs the API asked for stay visible.
  certificateQueue = new Queue('certificates', {
    connection: t.system.redis.duplicate(),
    prefix: `${t.system.config.redis.prefix}:bull`,
  });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await certificateQueue?.close();
  await t?.close();
});

type Pick = { optionId: string } | { value: boolean } | undefined;
/** Answers by prompt of the fixture exam: 'Question 1'..'Question 3' (single choice, 'a' right) and 'True?' (true). */
type Picks = Partial<Record<'Question 1' | 'Question 2' | 'Question 3' | 'True?', Pick>>;

async function answer(attemptId: string, picks: Picks) {
  const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
  const qs = await t.system.db.select().from(questions).where(eq(questions.examId, a!.examId));
  let seq = 0;
  for (const q of qs) {
    const response = picks[q.prompt as keyof Picks];
    if (response === undefined) continue;
    await t.system.db.insert(answers).values({ attemptId, questionId: q.id, response, seq: ++seq });
  }
}

/** An attempt that was answered, ended and graded. */
async function gradedAttempt(examId: string, picks: Picks, status: 'submitted' | 'expired' = 'submitted') {
  const started = await startedAttempt(t, teacher, examId);
  await answer(started.attemptId, picks);
  await transitionAttempt(t.system.db, started.attemptId, status);
  expect(await gradeAttempt(t.system.db, started.attemptId)).not.toBeNull();
  return started;
}

const auditOf = (action: string, targetId: string) =>
  t.system.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.action, action), eq(auditLogs.targetId, targetId)));

const hex = (n: number, c: string) => `0x${c.repeat(n)}`;
let certN = 0;
async function insertCertificate(attemptId: string, status: 'issued' | 'revoked' | 'pending', createdAt: Date) {
  const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
  const n = ++certN;
  const [row] = await t.system.db
    .insert(certificates)
    .values({
      userId: a!.userId,
      examId: a!.examId,
      attemptId,
      publicId: `publicid${String(n).padStart(16, '0')}`,
      status,
      metadata: {},
      metadataHash: hex(64, 'a'),
      createdAt,
      ...(status === 'issued'
        ? {
            tokenId: String(n),
            txHash: hex(64, 'b'),
            chainId: 31337,
            contractAddress: hex(40, 'c'),
            issuedAt: createdAt,
          }
        : {}),
      ...(status === 'revoked' ? { revokedAt: createdAt, revokedReason: 'score corrected' } : {}),
    })
    .returning();
  return row!;
}

describe('releasing results', () => {
  it('shows held-back results to students, tells their open page, and keeps the first release time', async () => {
    const exam = await publishedExam(t, teacher, { resultsPolicy: 'on_release' });
    const { student: taker, attemptId } = await gradedAttempt(exam.id, { 'Question 1': { optionId: 'a' } });
    expect((await taker.get(`/api/attempts/${attemptId}/result`)).body.state).toBe('awaiting_release');

    const socket = await openSocket(t.url, taker);
    sockets.push(socket);
    await call(socket, 'attempt:join', { attemptId, deviceId: 'laptop-release-01' });
    const told = nextEvent(socket, 'attempt:graded');

    // Nobody else can release: another teacher sees no such exam, a student may not ask.
    expect((await stranger.post(`/api/exams/${exam.id}/results/release`)).status).toBe(404);
    expect((await student.post(`/api/exams/${exam.id}/results/release`)).status).toBe(403);

    const first = await teacher.post(`/api/exams/${exam.id}/results/release`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ alreadyReleased: false, notified: 1 });
    expect(await told).toEqual({ attemptId });
    expect((await taker.get(`/api/attempts/${attemptId}/result`)).body).toMatchObject({
      state: 'graded',
      score: 1,
      scoreAdjusted: false,
    });

    const again = await teacher.post(`/api/exams/${exam.id}/results/release`);
    expect(again.body).toEqual({ resultsReleasedAt: first.body.resultsReleasedAt, alreadyReleased: true, notified: 0 });
    expect(await auditOf('results.release', exam.id)).toHaveLength(1);
    expect((await teacher.get(`/api/exams/${exam.id}/results`)).body.summary.resultsReleasedAt).toBe(
      first.body.resultsReleasedAt,
    );
  });
});

/**
 * Ten graded attempts (answers for Q1, Q2, Q3, True?; right = a, a, a, true):
 * three score 3, four score 2, three score 1, so the top and bottom 27% (3 each) have no ties at their edges.
 */
const DATASET: Picks[] = [
  {
    'Question 1': { optionId: 'a' },
    'Question 2': { optionId: 'a' },
    'Question 3': { optionId: 'a' },
    'True?': { value: false },
  },
  {
    'Question 1': { optionId: 'a' },
    'Question 2': { optionId: 'a' },
    'Question 3': { optionId: 'a' },
    'True?': { value: false },
  },
  { 'Question 1': { optionId: 'a' }, 'Question 2': { optionId: 'a' }, 'Question 3': { optionId: 'a' } },
  { 'Question 1': { optionId: 'a' }, 'Question 2': { optionId: 'a' }, 'Question 3': { optionId: 'b' } },
  { 'Question 1': { optionId: 'a' }, 'Question 2': { optionId: 'b' }, 'Question 3': { optionId: 'a' } },
  { 'Question 1': { optionId: 'b' }, 'Question 2': { optionId: 'a' }, 'Question 3': { optionId: 'a' } },
  { 'Question 1': { optionId: 'a' }, 'Question 2': { optionId: 'a' } },
  { 'Question 1': { optionId: 'b' }, 'True?': { value: true } },
  { 'True?': { value: true } },
  { 'Question 1': { optionId: 'c' }, 'Question 2': { optionId: 'b' }, 'True?': { value: true } },
];

describe('results table, CSV and statistics', () => {
  let examId: string;
  let taken: Awaited<ReturnType<typeof gradedAttempt>>[];
  let terminatedId: string;
  let runningId: string;

  beforeAll(async () => {
    examId = (await publishedExam(t, teacher, { passingScore: 50, resultsPolicy: 'on_release' })).id;
    taken = [];
    for (const picks of DATASET) taken.push(await gradedAttempt(examId, picks));
    // Terminated by a proctor: listed, not graded, not in the statistics.
    terminatedId = (await startedAttempt(t, teacher, examId)).attemptId;
    await answer(terminatedId, { 'Question 1': { optionId: 'a' } });
    await transitionAttempt(t.system.db, terminatedId, 'invalidated', { reason: 'proctor_terminated' });
    // Still running: not a result yet.
    runningId = (await startedAttempt(t, teacher, examId)).attemptId;
  });

  it('lists every ended attempt with student, score, risk and certificate, and summarizes the graded ones', async () => {
    // The first attempt: a certificate revoked, then a new one issued -> the live one shows.
    await insertCertificate(taken[0]!.attemptId, 'revoked', new Date(Date.now() - 60_000));
    const live = await insertCertificate(taken[0]!.attemptId, 'issued', new Date());
    // The second: two revoked ones -> the newest shows.
    await insertCertificate(taken[1]!.attemptId, 'revoked', new Date(Date.now() - 120_000));
    const newest = await insertCertificate(taken[1]!.attemptId, 'revoked', new Date(Date.now() - 30_000));
    await t.system.db.update(attempts).set({ riskScore: 42 }).where(eq(attempts.id, taken[2]!.attemptId));

    const res = await teacher.get(`/api/exams/${examId}/results`);
    expect(res.status).toBe(200);
    const { rows, summary } = res.body;
    expect(rows).toHaveLength(11);
    expect(rows.map((r: { attemptId: string }) => r.attemptId)).not.toContain(runningId);
    const byId = new Map(rows.map((r: { attemptId: string }) => [r.attemptId, r]));
    expect(byId.get(taken[0]!.attemptId)).toMatchObject({
      email: taken[0]!.email,
      status: 'submitted',
      score: 3,
      maxScore: 4,
      percentage: 75,
      passed: true,
      overridden: false,
      certificate: { id: live.id, status: 'issued', publicId: live.publicId },
    });
    expect(byId.get(taken[1]!.attemptId)).toMatchObject({ certificate: { id: newest.id, status: 'revoked' } });
    expect(byId.get(taken[2]!.attemptId)).toMatchObject({ riskScore: 42, certificate: null });
    expect(byId.get(terminatedId)).toMatchObject({ status: 'invalidated', score: null, passed: null });
    expect(summary).toEqual({
      count: 11,
      graded: 10,
      passedCount: 7,
      passRate: 0.7,
      meanScore: 2,
      medianScore: 2,
      meanPercentage: 50,
      medianPercentage: 50,
      passingScore: 50,
      resultsPolicy: 'on_release',
      resultsReleasedAt: null,
    });
    // Names in order, so the page starts from a stable order.
    const names = rows.map((r: { name: string }) => r.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('exports the same rows as CSV with formula cells escaped, and audits the export', async () => {
    await t.system.db
      .update(users)
      .set({ name: '=HYPERLINK("http://evil.example","x")' })
      .where(
        eq(
          users.id,
          (await t.system.db.select().from(attempts).where(eq(attempts.id, taken[3]!.attemptId)))[0]!.userId,
        ),
      );
    const res = await teacher.get(`/api/exams/${examId}/results.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="?results-.*\.csv/);
    const records = parseCsv(res.body as string).map((r) => r.fields);
    expect(records[0]).toEqual([
      'name',
      'email',
      'attempt',
      'status',
      'submitted_at',
      'score',
      'max_score',
      'percentage',
      'passed',
      'risk_score',
      'overridden',
      'override_reason',
      'certificate_status',
      'certificate_public_id',
    ]);
    expect(records).toHaveLength(12);
    const evil = records.find((r) => r[1] === taken[3]!.email)!;
    expect(evil[0]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(evil.slice(5, 9)).toEqual(['2', '4', '50', 'yes']);
    const audited = await auditOf('results.export', examId);
    expect(audited).toHaveLength(1);
    expect(audited[0]!.details).toEqual({ rows: 11 });
  });

  it('computes per-question statistics on the known dataset', async () => {
    const res = await teacher.get(`/api/exams/${examId}/results/questions`);
    expect(res.status).toBe(200);
    expect(res.body.gradedAttempts).toBe(10);
    expect(res.body.discrimination).toEqual({ available: true, groupSize: 3, reason: null });
    const byPrompt = Object.fromEntries(res.body.questions.map((q: { prompt: string }) => [q.prompt, q]));
    const counts = (prompt: string) =>
      Object.fromEntries(byPrompt[prompt].options.map((o: { id: string; count: number }) => [o.id, o.count]));
    expect(byPrompt['Question 1']).toMatchObject({ attempts: 10, answered: 9, facility: 0.6, discrimination: 1 });
    expect(counts('Question 1')).toEqual({ a: 6, b: 2, c: 1 });
    expect(byPrompt['Question 2']).toMatchObject({ answered: 8, facility: 0.6, discrimination: 1 });
    expect(counts('Question 2')).toEqual({ a: 6, b: 2, c: 0 });
    expect(byPrompt['Question 3']).toMatchObject({ answered: 6, facility: 0.5, discrimination: 1 });
    // The weakest students got the true/false right and the strongest did not.
    expect(byPrompt['True?']).toMatchObject({ answered: 5, facility: 0.3, discrimination: -1 });
    expect(byPrompt['True?'].options).toEqual([
      { id: 'true', text: 'True', correct: true, count: 3 },
      { id: 'false', text: 'False', correct: false, count: 2 },
    ]);
    expect(byPrompt['Question 1'].options[0]).toMatchObject({ id: 'a', correct: true });
  });

  it('answers 404 to another teacher and 403 to a student on every results route', async () => {
    for (const path of ['results', 'results.csv', 'results/questions']) {
      expect((await stranger.get(`/api/exams/${examId}/${path}`)).status).toBe(404);
      expect((await student.get(`/api/exams/${examId}/${path}`)).status).toBe(403);
    }
    expect(await auditOf('results.export', examId)).toHaveLength(1);
  });
});

describe('statistics with few attempts', () => {
  it('leaves discrimination out below 10 graded attempts and says why', async () => {
    const exam = await publishedExam(t, teacher);
    await gradedAttempt(exam.id, { 'Question 1': { optionId: 'a' } });
    await gradedAttempt(exam.id, {}, 'expired');
    const res = await teacher.get(`/api/exams/${exam.id}/results/questions`);
    expect(res.body.discrimination).toMatchObject({ available: false, groupSize: 0 });
    expect(res.body.discrimination.reason).toMatch(/at least 10 graded attempts.*there are 2/);
    const q1 = res.body.questions.find((q: { prompt: string }) => q.prompt === 'Question 1');
    expect(q1).toMatchObject({ attempts: 2, answered: 1, facility: 0.5, discrimination: null });
  });
});

describe('score override', () => {
  it('validates, naming the field', async () => {
    const exam = await publishedExam(t, teacher);
    const { attemptId } = await gradedAttempt(exam.id, { 'Question 1': { optionId: 'a' } });
    const url = `/api/attempts/${attemptId}/score-override`;
    const fields = async (body: unknown) => {
      const res = await teacher.post(url, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      return res.body.error.fields.map((f: { path: string }) => f.path);
    };
    expect(await fields({ score: 5, reason: 'Recounted by hand' })).toEqual(['body.score']); // max is 4
    expect(await fields({ score: -1, reason: 'Recounted by hand' })).toEqual(['body.score']);
    expect(await fields({ score: 1.234, reason: 'Recounted by hand' })).toEqual(['body.score']);
    expect(await fields({ score: 2, reason: ' x ' })).toEqual(['body.reason']);
    expect(await fields({ score: 2, reason: 'x'.repeat(501) })).toEqual(['body.reason']);
    expect((await fields({})).sort()).toEqual(['body.reason', 'body.score']);
    expect((await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId)))[0]!.gradedBy).toBeNull();
  });

  it('refuses strangers, students, and attempts without a score', async () => {
    const exam = await publishedExam(t, teacher);
    const { attemptId } = await gradedAttempt(exam.id, {});
    const body = { score: 1, reason: 'Recounted by hand' };
    expect((await stranger.post(`/api/attempts/${attemptId}/score-override`, body)).status).toBe(404);
    expect((await student.post(`/api/attempts/${attemptId}/score-override`, body)).status).toBe(403);
    const unknown = await teacher.post(`/api/attempts/00000000-0000-4000-8000-000000000000/score-override`, body);
    expect(unknown.status).toBe(404);
    // A stranger learns no more than about an attempt that does not exist.
    expect((await stranger.post(`/api/attempts/${attemptId}/score-override`, body)).body.error.message).toBe(
      unknown.body.error.message,
    );
    const running = (await startedAttempt(t, teacher, exam.id)).attemptId;
    expect((await teacher.post(`/api/attempts/${running}/score-override`, body)).status).toBe(409);
    expect(await auditOf('attempt.score_override', attemptId)).toHaveLength(0);
  });

  it('sets the score, recomputes pass, audits, re-evaluates the certificate, shows it to the student, and survives regrading', async () => {
    const exam = await publishedExam(t, teacher, { resultsPolicy: 'immediately', passingScore: 60 });
    const { student: taker, attemptId, email } = await gradedAttempt(exam.id, { 'Question 1': { optionId: 'a' } });
    expect((await taker.get(`/api/attempts/${attemptId}/result`)).body).toMatchObject({ score: 1, passed: false });

    const res = await teacher.post(`/api/attempts/${attemptId}/score-override`, {
      score: 2.5,
      reason: '  Question 3 was ambiguous  ',
    });
    expect(res.status).toBe(200);
    expect(res.body.row).toMatchObject({
      attemptId,
      score: 2.5,
      maxScore: 4,
      percentage: 62.5,
      passed: true,
      overridden: true,
      overrideReason: 'Question 3 was ambiguous',
    });
    const [stored] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
    expect(stored).toMatchObject({ gradedBy: teacher.user.id, scoreOverrideReason: 'Question 3 was ambiguous' });
    expect(stored!.scoreOverriddenAt).toBeInstanceOf(Date);

    const [entry] = await auditOf('attempt.score_override', attemptId);
    expect(entry).toMatchObject({ actorId: teacher.user.id, targetType: 'attempt' });
    expect(entry!.details).toMatchObject({ oldScore: 1, newScore: 2.5, reason: 'Question 3 was ambiguous' });
    expect(JSON.stringify(entry!.details)).not.toContain(email);
    expect(JSON.stringify(entry!.details)).not.toContain('@');

    const jobs = await certificateQueue.getJobs(['wait', 'waiting', 'delayed', 'prioritized']);
    expect(jobs.some((j) => j.name === 'attempt.evaluate' && j.data.attemptId === attemptId)).toBe(true);

    expect((await taker.get(`/api/attempts/${attemptId}/result`)).body).toMatchObject({
      state: 'graded',
      score: 2.5,
      percentage: 62.5,
      passed: true,
      scoreAdjusted: true,
    });

    // Regrading (a retried job, say) keeps the teacher's score but still marks the answers.
    await t.system.db.update(answers).set({ pointsAwarded: null }).where(eq(answers.attemptId, attemptId));
    expect(await gradeAttempt(t.system.db, attemptId)).toMatchObject({ score: 2.5, percentage: 62.5, passed: true });
    const [after] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
    expect(after).toMatchObject({ score: 2.5, maxScore: 4, percentage: 62.5, passed: true });
    const marked = await t.system.db.select().from(answers).where(eq(answers.attemptId, attemptId));
    expect(marked.map((m) => m.pointsAwarded)).toEqual([1]);

    // The table shows the marker; an admin may override too.
    const admin = await signedIn(t, 'admin');
    const again = await admin.post(`/api/attempts/${attemptId}/score-override`, { score: 0, reason: 'Copied answers' });
    expect(again.body.row).toMatchObject({ score: 0, percentage: 0, passed: false, overrideReason: 'Copied answers' });
    const table = await teacher.get(`/api/exams/${exam.id}/results`);
    expect(table.body.rows[0]).toMatchObject({ attemptId, overridden: true, score: 0 });
  });
});
