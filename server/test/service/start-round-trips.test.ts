// The exam-start path's cost in PostgreSQL round trips ([scale] issue #16): one code claim
// and one begin, counted statement by statement (BEGIN and COMMIT included) for the calls'
// own async context only, so background work of the process (sweeps, reapers) never counts.
// A count, not a timing: the figures (claims per second) come from scripts/bench-start-storm.ts.
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithCodeBodySchema } from '@exam-hall/protocol';
import { ctx, startServiceWorld, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let teacher: Person;
let examId: string;
const counting = new AsyncLocalStorage<string[]>();
const query = pg.Client.prototype.query;

beforeAll(async () => {
  w = await startServiceWorld();
  teacher = await w.person('teacher');
  examId = (await w.publishedExam(teacher)).id;
  // Every statement a pooled client sends goes through Client#query.
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string; name?: string };
    counting.getStore()?.push(typeof first === 'string' ? first : (first?.text ?? first?.name ?? '?'));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
});
afterAll(async () => {
  pg.Client.prototype.query = query;
  await w?.close();
});

async function statementsOf<T>(work: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  const sent: string[] = [];
  const result = await counting.run(sent, work);
  return { result, sent };
}

describe('starting an exam', () => {
  it('claims a code in 3 statements and begins in 2, one commit each; the hall row follows, batched per exam', async () => {
    const email = `rt-${Math.random().toString(36).slice(2, 10)}@school.example`;
    const { code } = await w.services.participants.add(teacher.caller, examId, { email });
    const claim = await statementsOf(() =>
      w.services.attempts.startWithCode(startWithCodeBodySchema.parse({ email, code }), ctx),
    );
    // The invitations of the email; the preview (participant, exam, account, live attempt, attempts
    // used, questions, whether there are sections); and ONE statement that spends the code, creates
    // the attempt and records the audit entry (attempts.start.repository.ts, the fast path). No
    // BEGIN or COMMIT of their own: the last statement is its own transaction. The hall row is not
    // among them: it reaches the proctors within a second, in one roster query per exam.
    expect(
      claim.sent.filter((s) => /^(begin|commit)/i.test(s)),
      claim.sent.join('\n'),
    ).toEqual([]);
    expect(claim.sent.length, claim.sent.join('\n')).toBe(3);
    expect(claim.sent[2]).toMatch(/update exam_participants[\s\S]*insert into attempts[\s\S]*insert into audit_logs/);

    const attempt = claim.result.response.attempt;
    const who = { actor: null, attemptCookie: claim.result.attemptCookie ?? undefined };
    const begin = await statementsOf(() => w.services.attempts.begin(attempt.id, who, ctx));
    expect(begin.result.began).toBe(true);
    // The preview (attempt, accommodations, exam), then ONE statement: the clock and the audit entry.
    expect(begin.sent.length, begin.sent.join('\n')).toBe(2);
  });

  it('checks a wrong code with one read and no transaction', async () => {
    const email = `rt-${Math.random().toString(36).slice(2, 10)}@school.example`;
    const { code } = await w.services.participants.add(teacher.caller, examId, { email });
    const wrong = (code.startsWith('2') ? '3' : '2') + code.slice(1);
    const sent: string[] = [];
    await expect(
      counting.run(sent, () =>
        w.services.attempts.startWithCode(startWithCodeBodySchema.parse({ email, code: wrong }), ctx),
      ),
    ).rejects.toMatchObject({ code: 'invalid_code' });
    expect(sent).toHaveLength(1);
  });
});
