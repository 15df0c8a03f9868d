// The join's per-exam question cache (attempts.question-cache.ts): exam settings are read
// fresh on every join, a second exam never gets the first's questions, and a question that
// changed in PostgreSQL (past the lock: another process, a repair by hand) is what the next
// join shows and checks answers against.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { questions } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import type { Client } from '../support/http-client.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
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

async function join(student: Client, attemptId: string, deviceId = 'device-cache-01') {
  const s = await openSocket(t.url, student);
  sockets.push(s);
  return { socket: s, snapshot: await call(s, 'attempt:join', { attemptId, deviceId }) };
}

const idsOf = (snapshot: { questions: { id: string }[] }) => snapshot.questions.map((q) => q.id).sort();

describe('the join’s question cache', () => {
  it('reads the exam’s settings fresh: a join after a change sees the new title and proctoring flags', async () => {
    const exam = await publishedExam(t, teacher, { proctoring: { enabled: false } });
    const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
    const first = await join(student, attemptId);
    expect(first.snapshot.attempt).toMatchObject({
      examTitle: 'Hall exam',
      proctored: false,
      requireFullscreen: false,
    });

    const patched = await teacher.request('PATCH', `/api/exams/${exam.id}`, {
      title: 'Renamed exam',
      proctoring: { enabled: true, requireFullscreen: true },
    });
    expect(patched.status).toBe(200);
    const again = await join(student, attemptId);
    expect(again.snapshot.attempt).toMatchObject({
      examTitle: 'Renamed exam',
      proctored: true,
      requireFullscreen: true,
    });
    // The questions are the same ones, from the cache or not.
    expect(idsOf(again.snapshot)).toEqual(idsOf(first.snapshot));
  });

  it('gives each exam its own questions, also when both are cached', async () => {
    const [one, two] = [await publishedExam(t, teacher), await publishedExam(t, teacher)];
    const a = await startedAttempt(t, teacher, one.id);
    const b = await startedAttempt(t, teacher, two.id);
    const ownIds = async (examId: string) =>
      (await t.system.db.select({ id: questions.id }).from(questions).where(eq(questions.examId, examId)))
        .map((q) => q.id)
        .sort();
    for (let round = 0; round < 2; round++) {
      const [ja, jb] = [await join(a.student, a.attemptId), await join(b.student, b.attemptId)];
      expect(idsOf(ja.snapshot)).toEqual(await ownIds(one.id));
      expect(idsOf(jb.snapshot)).toEqual(await ownIds(two.id));
      // Answers are checked against the attempt's own questions: the other exam's are not part of it.
      const foreign = jb.snapshot.questions.find((q: { type: string }) => q.type === 'true_false');
      await expect(
        call(ja.socket, 'answer:save', {
          attemptId: a.attemptId,
          seq: round + 1,
          questionId: foreign.id,
          response: null,
        }),
      ).rejects.toThrow(/not part of the attempt/);
    }
  });

  it('shows and checks against a question as PostgreSQL has it now, after a change the cache did not see', async () => {
    const exam = await publishedExam(t, teacher);
    const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
    const before = await join(student, attemptId);
    const q = before.snapshot.questions.find((x: { type: string }) => x.type === 'single_choice');
    expect(q.prompt).toMatch(/^Question/);

    // Past the API's lock (which refuses this once an attempt exists): as a repair by hand would.
    await t.system.db
      .update(questions)
      .set({ type: 'true_false', prompt: 'Now true or false?', content: {}, answerKey: { correct: true } })
      .where(eq(questions.id, q.id));

    const after = await join(student, attemptId, 'device-cache-02');
    expect(after.snapshot.questions.find((x: { id: string }) => x.id === q.id)).toMatchObject({
      type: 'true_false',
      prompt: 'Now true or false?',
    });
    // The new socket checks answers against the new type: a choice is refused, true/false accepted.
    await expect(
      call(after.socket, 'answer:save', { attemptId, seq: 1, questionId: q.id, response: { optionId: 'a' } }),
    ).rejects.toThrow(/does not fit/);
    expect(
      await call(after.socket, 'answer:save', { attemptId, seq: 2, questionId: q.id, response: { value: true } }),
    ).toMatchObject({ applied: true });

    // A question deleted by hand is gone from the next join too.
    const gone = after.snapshot.questions.find((x: { id: string; type: string }) => x.id !== q.id);
    await t.system.db.delete(questions).where(eq(questions.id, gone.id));
    const third = await join(student, attemptId, 'device-cache-03');
    expect(idsOf(third.snapshot)).not.toContain(gone.id);
    expect(third.snapshot.lastSeq).toBe(2);
  });
});
