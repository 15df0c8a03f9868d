// Group commit for autosaves (attempts.save-batcher.ts, attempts.save.repository.ts):
// saves that arrive together are written by one statement and one commit, and each keeps
// every rule of a single save: the sequence rule per question, an attempt's saves in
// order, the time budget, nothing written into an attempt that is not running, and a
// submission that commits while a batch waits wins (the batch writes nothing for it).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { answers, attempts, questions } from '../../src/db/schema/index.ts';
import { createSaveBatcher } from '../../src/modules/attempts/attempts.save-batcher.ts';
import type { JoinedAttempt } from '../../src/modules/attempts/attempts.live.service.ts';
import { startServiceWorld, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let teacher: Person;
let examId: string;
let questionIds: string[];

beforeAll(async () => {
  w = await startServiceWorld({ DATABASE_POOL_MAX: '8' });
  teacher = await w.person('teacher');
  examId = (await w.publishedExam(teacher)).id;
  const qs = await w.db.select({ id: questions.id }).from(questions).where(eq(questions.examId, examId));
  questionIds = qs.map((q) => q.id);
});
afterAll(() => w?.close());

async function running() {
  const a = await w.entered(teacher, examId);
  expect((await w.begin(a)).began).toBe(true);
  return a.id;
}

const save = (attemptId: string, questionId: string, seq: number, optionId: string, timeSpentSeconds = 0) => ({
  attemptId,
  questionId,
  seq,
  response: { optionId },
  flagged: false,
  timeSpentSeconds,
});

const stored = (attemptId: string) =>
  w.db
    .select({
      questionId: answers.questionId,
      seq: answers.seq,
      response: answers.response,
      spent: answers.timeSpentSeconds,
    })
    .from(answers)
    .where(eq(answers.attemptId, attemptId));

describe('group commit', () => {
  it('writes saves of many attempts that arrive together in one statement', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => running()));
    const batcher = createSaveBatcher(w.db);
    const outcomes = await Promise.all(ids.map((id, i) => batcher.save(save(id, questionIds[i % 3]!, 1, 'b'))));
    expect(outcomes).toEqual(ids.map(() => 'written'));
    // All 30 arrived in the same turn of the event loop: one batch.
    expect(batcher.stats()).toMatchObject({ batches: 1, saves: 30, largest: 30 });
    for (const [i, id] of ids.entries()) {
      expect(await stored(id)).toEqual([
        { questionId: questionIds[i % 3], seq: 1, response: { optionId: 'b' }, spent: 0 },
      ]);
    }
  });

  it('applies one attempt’s saves in the order they arrived, and a stale one never wins', async () => {
    const id = await running();
    const other = await running();
    const batcher = createSaveBatcher(w.db);
    const q = questionIds[0]!;
    const outcomes = await Promise.all([
      batcher.save(save(id, q, 1, 'a')),
      batcher.save(save(id, q, 3, 'c')),
      batcher.save(save(other, q, 1, 'a')),
      batcher.save(save(id, q, 2, 'b')),
    ]);
    expect(outcomes).toEqual(['written', 'written', 'written', 'stale']);
    // One save per attempt per batch: three batches for the first attempt's three saves.
    expect(batcher.stats()).toMatchObject({ batches: 3, saves: 4 });
    expect(await stored(id)).toEqual([{ questionId: q, seq: 3, response: { optionId: 'c' }, spent: 0 }]);
  });

  it('keeps the time budget: answers together never count more time than the attempt has run', async () => {
    const id = await running();
    await w.db
      .update(attempts)
      .set({ startedAt: sql`now() - interval '100 seconds'` })
      .where(eq(attempts.id, id));
    const batcher = createSaveBatcher(w.db);
    await Promise.all([
      batcher.save(save(id, questionIds[0]!, 1, 'a', 80)),
      batcher.save(save(id, questionIds[1]!, 2, 'a', 80)),
    ]);
    const spent = (await stored(id)).map((r) => r.spent).sort((x, y) => y - x);
    expect(spent[0]).toBe(80);
    // 100 s (101 when the second boundary passed meanwhile) less the 80 already counted.
    expect(spent[1]).toBeGreaterThanOrEqual(20);
    expect(spent[1]).toBeLessThanOrEqual(22);
  });

  it('writes nothing into an attempt that is not running, and says why', async () => {
    const submitted = await running();
    await w.submit(submitted);
    const paused = await running();
    await w.services.hall.act(teacher.caller, { attemptId: paused, action: 'pause' });
    const live = await running();
    const batcher = createSaveBatcher(w.db);
    expect(
      await Promise.all([
        batcher.save(save(submitted, questionIds[0]!, 1, 'a')),
        batcher.save(save(paused, questionIds[0]!, 1, 'a')),
        batcher.save(save(live, questionIds[0]!, 1, 'a')),
      ]),
    ).toEqual(['closed', 'closed', 'written']);
    expect(await stored(submitted)).toEqual([]);
    expect(await stored(paused)).toEqual([]);

    // Through the service, the student is told which.
    const joined = (attemptId: string): JoinedAttempt => ({
      attemptId,
      examId,
      userId: randomUUID(),
      participantId: randomUUID(),
      questions: new Map([
        [
          questionIds[0]!,
          {
            type: 'single_choice',
            content: {
              options: [
                { id: 'a', text: 'A' },
                { id: 'b', text: 'B' },
              ],
            },
          },
        ],
      ]),
    });
    const input = {
      attemptId: paused,
      questionId: questionIds[0]!,
      seq: 2,
      response: { optionId: 'a' },
      flagged: false,
      timeSpentSeconds: 0,
    };
    await expect(w.services.attemptLive.save(joined(paused), input)).rejects.toMatchObject({
      status: 409,
      code: 'invalid_transition',
      message: expect.stringMatching(/paused/),
    });
    await expect(
      w.services.attemptLive.save(joined(submitted), { ...input, attemptId: submitted }),
    ).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/Time is up/) });
  });

  it('a submission that commits while the batch waits for the attempt row wins: nothing is written', async () => {
    const id = await running();
    const batcher = createSaveBatcher(w.db);
    let pending: Promise<string> | undefined;
    await w.db.transaction(async (tx) => {
      // The submission holds the row (as transitionAttempt's UPDATE does) ...
      await tx.execute(sql`select id from ${attempts} where id = ${id} for update`);
      pending = batcher.save(save(id, questionIds[0]!, 1, 'a'));
      // ... and the batch's FOR SHARE waits for it (seen in pg_stat_activity, not assumed).
      for (let i = 0; ; i++) {
        const waiting = await w.db.execute<{ n: number }>(
          sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%for share%'`,
        );
        if (waiting.rows[0]!.n > 0) break;
        if (i > 200) throw new Error('the batch never waited for the row lock');
        await new Promise((r) => setTimeout(r, 25));
      }
      await tx
        .update(attempts)
        .set({ status: 'submitted', submittedAt: sql`now()` })
        .where(eq(attempts.id, id));
    });
    expect(await pending).toBe('closed');
    expect(await stored(id)).toEqual([]);
  });

  it('a save the database refuses fails alone; the rest of its batch is written', async () => {
    const a = await running();
    const b = await running();
    const batcher = createSaveBatcher(w.db);
    const results = await Promise.allSettled([
      batcher.save(save(a, questionIds[0]!, 1, 'a')),
      // No such question: the foreign key refuses it.
      batcher.save(save(b, randomUUID(), 1, 'a')),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'written' });
    expect(results[1]).toMatchObject({ status: 'rejected' });
    expect(await stored(a)).toHaveLength(1);
    expect(
      await w.db
        .select()
        .from(answers)
        .where(and(eq(answers.attemptId, b))),
    ).toEqual([]);
  });
});
