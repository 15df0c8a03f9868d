// Per-IP budgets: they count what failed (or is still being checked), never what succeeded,
// so a school behind one NAT address spends only its typing mistakes; and they hold when
// the tries arrive all at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client, type Reply } from '../support/http-client.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';

let t: TestSystem;
beforeAll(async () => {
  // Behind a trusted proxy the client address comes from X-Forwarded-For.
  t = await startTestSystem({ SIGN_IN_MAX_PER_IP: '4', CODE_MAX_WRONG_PER_IP: '6', TRUST_PROXY: 'loopback' });
});
afterAll(() => t?.close());

const from = (ip: string) => new Client(t.url, { 'x-forwarded-for': ip });
const count = (replies: Reply[], status: number) => replies.filter((r) => r.status === status).length;

describe('sign-in limit per IP address', () => {
  it('caps failed attempts from one address across accounts; successes do not count; other addresses are free', async () => {
    const users = await Promise.all([1, 2, 3, 4, 5, 6].map(() => t.createUser('student')));
    // More successful sign-ins than the budget: a class signing in at 9:00.
    for (const u of users) expect((await from('203.0.113.7').signIn(u.email, u.password)).status).toBe(200);
    for (const u of users.slice(0, 4))
      expect((await from('203.0.113.7').signIn(u.email, 'wrong-password')).status).toBe(401);
    const blocked = await from('203.0.113.7').signIn(users[4]!.email, users[4]!.password);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toMatch(/from your network/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from('198.51.100.9').signIn(users[4]!.email, users[4]!.password)).status).toBe(200);
  });

  it('checks at most the budget of 20 wrong sign-ins for different accounts sent at once', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => from('203.0.113.8').signIn(`nobody-${i}@test.example`, 'wrong-password')),
    );
    expect(count(replies, 401)).toBe(4);
    expect(count(replies, 429)).toBe(16);
    for (const r of replies.filter((x) => x.status === 429))
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('access-code limit per IP address', () => {
  async function invited(n: number) {
    const teacher = await signedIn(t, 'teacher');
    const exam = await publishedExam(t, teacher);
    const emails = Array.from(
      { length: n },
      (_, i) => `ip${i}-${Math.random().toString(36).slice(2, 8)}@school.example`,
    );
    const res = await teacher.post(`/api/exams/${exam.id}/participants/import`, `email\n${emails.join('\n')}\n`, {
      'content-type': 'text/csv',
    });
    expect(res.status).toBe(200);
    return res.body.rows as { email: string; code: string }[];
  }
  const start = (ip: string, email: string, code: string) => from(ip).post('/api/attempts/start', { email, code });

  it('checks at most the budget of 20 wrong codes for different emails sent at once', async () => {
    const students = await invited(21);
    const replies = await Promise.all(
      students.slice(0, 20).map((s) => start('203.0.113.20', s.email, 'ZZZZ-ZZZZ-ZZZZ')),
    );
    expect(count(replies, 401)).toBe(6);
    expect(count(replies, 429)).toBe(14);
    const limited = replies.find((r) => r.status === 429)!;
    expect(limited.body.error.message).toMatch(/wrong access codes from your network\. Try again in \d+ minutes\./);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await start('198.51.100.20', students[20]!.email, students[20]!.code)).status).toBe(201);
  });

  it('lets a class behind one address claim all at once, beyond the budget, and still checks no more wrong codes', async () => {
    // 30 right codes in flight together: each holds a place until it is found right, so with a
    // budget of 6 the other 24 used to get 429. Now they wait for places to be given back.
    const students = await invited(30);
    const ip = '203.0.113.22';
    const claims = await Promise.all(students.map((s) => start(ip, s.email, s.code)));
    expect(claims.map((r) => r.status)).toEqual(students.map(() => 201));
    // Waiting gives no extra guesses: of 20 wrong codes sent at once, the budget is checked, the rest refused.
    const wrong = await Promise.all(students.slice(0, 20).map((s) => start(ip, s.email, 'ZZZZ-ZZZZ-ZZZZ')));
    expect(count(wrong, 401)).toBe(6);
    expect(count(wrong, 429)).toBe(14);
  });

  it('counts only wrong codes, and not the tries an email was made to wait for', async () => {
    const students = await invited(10);
    const ip = '203.0.113.21';
    // Eight right codes from one address: more than the budget of 6, none counted.
    for (const s of students.slice(0, 8)) expect((await start(ip, s.email, s.code)).status).toBe(201);
    // One student hammers a wrong code: 3 are checked, the rest wait (per email), unspent here.
    const hammer = await Promise.all(Array.from({ length: 30 }, () => start(ip, students[8]!.email, 'ZZZZ-ZZZZ-ZZZZ')));
    expect(count(hammer, 401)).toBe(3);
    // So three wrong codes are left for the network, then it is refused.
    for (let i = 0; i < 3; i++) expect((await start(ip, students[9]!.email, 'ZZZZ-ZZZZ-ZZZ1')).status).toBe(401);
    const refused = await start(ip, students[9]!.email, students[9]!.code);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/from your network/);
  });
});
