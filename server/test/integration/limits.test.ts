// Limits that hold under parallel requests (a guess is reserved before it is checked) and that
// a school behind one NAT address does not hit by typing mistakes. The per-IP budgets have
// their own file (ip-limit.test.ts); the arithmetic is in docs/SECURITY-LIMITS.md.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client, type Reply } from '../support/http-client.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';
import { createRedis } from '../../src/lib/redis.ts';
import { createGuessLimiter } from '../../src/modules/attempts/attempts.rate-limit.ts';
import { createSignInLimiter } from '../../src/modules/auth/auth.rate-limit.ts';

let t: TestSystem;
let teacher: Client;
beforeAll(async () => {
  t = await startTestSystem({
    // Each test speaks from addresses of its own (X-Forwarded-For), so budgets do not mix.
    TRUST_PROXY: 'loopback',
    SIGN_IN_MAX_FAILURES: '5',
    CODE_FREE_TRIES_PER_EMAIL: '3',
    // A first wait far longer than any burst here takes, so no try is let through by time passing.
    CODE_DELAY_BASE_SECONDS: '60',
    VERIFY_MAX_PER_IP_PER_MINUTE: '5',
  });
  teacher = await signedIn(t, 'teacher');
});
afterAll(() => t?.close());

let ipSeq = 0;
/** A client at an address no other test uses. */
const fromNewIp = (url = t.url) => {
  const ip = `203.0.113.${++ipSeq}`;
  return () => new Client(url, { 'x-forwarded-for': ip });
};
const statusesOf = (replies: Reply[]) => replies.map((r) => r.status);
const count = (replies: Reply[], status: number) => replies.filter((r) => r.status === status).length;
function expectRetryAfter(replies: Reply[]) {
  for (const r of replies.filter((x) => x.status === 429)) {
    expect(r.body.error.code).toBe('rate_limited');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  }
}

async function invite(examId: string, n: number, by = teacher) {
  const emails = Array.from({ length: n }, (_, i) => `s${i}-${Math.random().toString(36).slice(2, 8)}@school.example`);
  const res = await by.post(`/api/exams/${examId}/participants/import`, `email\n${emails.join('\n')}\n`, {
    'content-type': 'text/csv',
  });
  expect(res.status).toBe(200);
  return (res.body.rows as { email: string; code: string; outcome: string }[]).map((r) => ({
    email: r.email,
    code: r.code,
  }));
}
const start = (c: Client, email: string, code: string) => c.post('/api/attempts/start', { email, code });
const WRONG = 'ZZZZ-ZZZZ-ZZZZ';

describe('sign-in per account under parallel tries', () => {
  it('checks at most SIGN_IN_MAX_FAILURES of 30 wrong passwords sent at once; the rest get 429', async () => {
    const user = await t.createUser('teacher');
    const client = fromNewIp();
    const replies = await Promise.all(
      Array.from({ length: 30 }, () => client().signIn(user.email, 'wrong-password-1')),
    );
    expect(count(replies, 401), statusesOf(replies).join(',')).toBe(5);
    expect(count(replies, 429)).toBe(25);
    expectRetryAfter(replies);
    // The lock holds for the right password too, for the lockout period.
    const locked = await client().signIn(user.email, user.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(locked.body.error.message).toMatch(/for this account/);
  });

  it('lets the right password in when it arrives within the budget, even amid wrong ones', async () => {
    const user = await t.createUser('teacher');
    const client = fromNewIp();
    const replies = await Promise.all([
      ...Array.from({ length: 4 }, () => client().signIn(user.email, 'wrong-password-2')),
      client().signIn(user.email, user.password),
    ]);
    expect(statusesOf(replies)).toEqual([401, 401, 401, 401, 200]);
    // Success clears the failures: five more wrong passwords are checked before the lock.
    for (let i = 0; i < 5; i++) expect((await client().signIn(user.email, 'wrong-password-3')).status).toBe(401);
    expect((await client().signIn(user.email, user.password)).status).toBe(429);
  });
});

describe('access codes per email', () => {
  it('checks at most CODE_FREE_TRIES_PER_EMAIL of 300 wrong codes sent at once for one email', async () => {
    const exam = await publishedExam(t, teacher);
    const [student] = await invite(exam.id, 1);
    const client = fromNewIp();
    const replies = await Promise.all(Array.from({ length: 300 }, () => start(client(), student!.email, WRONG)));
    expect(count(replies, 401), `401s among ${replies.length}`).toBe(3);
    expect(count(replies, 429)).toBe(297);
    expectRetryAfter(replies);
    expect(replies.find((r) => r.status === 429)!.body.error.message).toMatch(/for this email/);
  });

  it('slows a student down with a growing delay instead of locking them out, then the right code works', async () => {
    // Small delays so this takes seconds: 2 s, then 4 s, then 4 s...
    const fast = await startTestSystem({
      TRUST_PROXY: 'loopback',
      CODE_DELAY_BASE_SECONDS: '2',
      CODE_DELAY_MAX_SECONDS: '4',
    });
    onTestFinished(() => fast.close());
    const fastTeacher = await signedIn(fast, 'teacher');
    const exam = await publishedExam(fast, fastTeacher);
    const [student, classmate] = await invite(exam.id, 2, fastTeacher);
    const client = fromNewIp(fast.url);
    for (let i = 0; i < 3; i++) expect((await start(client(), student!.email, WRONG)).status).toBe(401);

    const first = await start(client(), student!.email, WRONG);
    expect(first.status).toBe(429);
    const firstWait = Number(first.headers.get('retry-after'));
    expect(firstWait).toBeGreaterThan(0);
    expect(firstWait).toBeLessThanOrEqual(2);
    expect(first.body.error.message).toMatch(new RegExp(`Try again in ${firstWait} seconds?\\.`));
    // Refused tries are not counted: polling until the wait is over does not extend it.
    const fourth = await poll(() => start(client(), student!.email, WRONG));
    expect(fourth.status).toBe(401);

    const second = await start(client(), student!.email, WRONG);
    expect(second.status).toBe(429);
    // The wait grows: twice the first one (a little less by the time it is asked).
    const secondWait = Number(second.headers.get('retry-after'));
    expect(secondWait).toBeGreaterThan(2);
    expect(secondWait).toBeLessThanOrEqual(4);
    expect(second.body.error.message).toMatch(new RegExp(`Try again in ${secondWait} seconds\\.`));

    // A classmate at the same address is not held up by this student's mistakes.
    expect((await start(client(), classmate!.email, classmate!.code)).status).toBe(201);
    // After the wait, the right code starts the exam.
    const started = await poll(() => start(client(), student!.email, student!.code));
    expect(started.status).toBe(201);
  });

  it('lets a class of 100 behind one address, each mistyping once, all start', async () => {
    const exam = await publishedExam(t, teacher);
    const students = await invite(exam.id, 100);
    const client = fromNewIp();
    const results = await Promise.all(
      students.map(async (s) => {
        const typo = await start(client(), s.email, s.code.slice(0, -1) + (s.code.endsWith('7') ? '8' : '7'));
        const right = await start(client(), s.email, s.code);
        return [typo.status, right.status];
      }),
    );
    expect(results.filter(([typo]) => typo === 401)).toHaveLength(100);
    expect(results.filter(([, right]) => right === 201)).toHaveLength(100);
  });
});

describe('certificate verification per IP under parallel lookups', () => {
  it('answers at most VERIFY_MAX_PER_IP_PER_MINUTE of a burst of 20; the rest get 429', async () => {
    const client = fromNewIp();
    const replies = await Promise.all(Array.from({ length: 20 }, () => client().get(`/api/verify/${'C'.repeat(22)}`)));
    expect(count(replies, 200)).toBe(5);
    expect(count(replies, 429)).toBe(15);
    expectRetryAfter(replies);
    // Another address is not affected.
    expect((await fromNewIp()().get(`/api/verify/${'C'.repeat(22)}`)).status).toBe(200);
  });
});

describe('giving a right answer its place back', () => {
  it('is best effort: a refund lost to Redis does not fail the right code or password', async () => {
    const redis = createRedis(t.system.config.redis.url, 'limits-test');
    const prefix = `${t.system.config.redis.prefix}:refund`;
    const codes = createGuessLimiter(redis, {
      keyPrefix: prefix,
      limits: { maxWrongPerIp: 10, freeTries: 3, delayBaseSeconds: 2, delayMaxSeconds: 60 },
      wording: { guesses: 'wrong codes', target: 'for this email' },
    });
    const signIns = createSignInLimiter(redis, { prefix, maxFailures: 5, lockoutSeconds: 900, maxPerIpPer15Min: 10 });
    const guess = await codes.reserve('ip', 'email');
    const signIn = await signIns.reserve('account', 'ip');
    redis.disconnect();
    await expect(guess.right()).resolves.toBeUndefined();
    await expect(signIn.succeeded()).resolves.toBeUndefined();
  });
});

/** Repeats a request while it answers 429, waiting as long as Retry-After says (bounded). */
async function poll(send: () => Promise<Reply>, ms = 15_000): Promise<Reply> {
  const until = Date.now() + ms;
  for (;;) {
    const r = await send();
    if (r.status !== 429) return r;
    if (Date.now() > until) throw new Error(`still 429 after ${ms} ms`);
    await new Promise((res) => setTimeout(res, 200));
  }
}
