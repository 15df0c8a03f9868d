// Account lifecycle against a real SMTP server (smtp-server on port 0, capturing every
// message) and against a system without mail: invitation, reset and confirmation links,
// claiming a code-started account, password change, signing out elsewhere, limits, audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { accountTokens, auditLogs, users } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { SMTP_PASSWORD, SMTP_USER, startMailCatcher } from '../support/mail-catcher.ts';
import { Client } from '../support/http-client.ts';
import { openSocket, type TestSocket } from '../support/sockets.ts';
import { createMailer, MailError } from '../../src/modules/accounts/accounts.mailer.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';

const tokenOf = (s: string) => /#token=([A-Za-z0-9_-]{43})/.exec(s)?.[1];

let mailer: Awaited<ReturnType<typeof startMailCatcher>>;
let tm: TestSystem; // with SMTP_URL
let tn: TestSystem; // without mail

beforeAll(async () => {
  mailer = await startMailCatcher();
  [tm, tn] = await Promise.all([startTestSystem({ SMTP_URL: mailer.url }), startTestSystem()]);
});
afterAll(async () => {
  await Promise.all([tm?.close(), tn?.close()]);
  await mailer?.close();
});

async function auditOf(t: TestSystem, action: string, targetId: string) {
  return t.system.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.action, action), eq(auditLogs.targetId, targetId)));
}

async function userRow(t: TestSystem, id: string) {
  const [u] = await t.system.db.select().from(users).where(eq(users.id, id));
  return u!;
}

/** A teacher, an exam, and a participant added (an invited account without a password). */
async function invitedParticipant(t: TestSystem, prefix = 's') {
  const teacher = await signedIn(t, 'teacher');
  const exam = await publishedExam(t, teacher);
  const email = `${prefix}-${Math.random().toString(36).slice(2, 10)}@school.example`;
  const added = await teacher.post(`/api/exams/${exam.id}/participants`, { email, name: 'Ada Lovelace' });
  expect(added.status).toBe(201);
  const [u] = await t.system.db.select().from(users).where(eq(users.email, email));
  return { teacher, exam, email, userId: u!.id, code: added.body.code as string };
}

function socketClosed(socket: TestSocket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

describe('invitation links by email', () => {
  it('mails the link (text and HTML, no secret), works once, signs in, and is audited', async () => {
    const p = await invitedParticipant(tm);
    const sent = await p.teacher.post(`/api/exams/${p.exam.id}/participants/activation-links`);
    expect(sent.status).toBe(200);
    expect(sent.body.rows).toEqual([
      { userId: p.userId, email: p.email, name: 'Ada Lovelace', outcome: { delivery: 'email', email: p.email } },
    ]);
    const mail = await mailer.next(p.email);
    expect(mail.subject).toMatch(/choose a password/i);
    expect(mail.text).toContain('Hello Ada Lovelace');
    expect(mail.text).toContain(`This mail is for Ada Lovelace (${p.email})`);
    expect(mail.text).toMatch(/works once and until .* UTC/);
    expect(mail.text).toMatch(/If you did not expect this/);
    expect(mail.html).toContain('<h1>Choose a password for your exam account</h1>');
    expect(mail.html).toContain('<a href="http://localhost:3000/account/invitation#token=');
    const token = tokenOf(mail.text)!;
    expect(tokenOf(mail.html)).toBe(token);
    // No secret travels by mail but the link itself: not the access code, not the SMTP credentials.
    expect(mail.raw).not.toContain(p.code);
    expect(mail.raw).not.toContain(SMTP_PASSWORD);
    // Only the hash is stored.
    const [stored] = await tm.system.db.select().from(accountTokens).where(eq(accountTokens.userId, p.userId));
    expect(stored!.tokenHash).not.toContain(token);
    expect(stored!.purpose).toBe('invitation');

    const student = new Client(tm.url);
    const accepted = await student.post('/api/account/invitation/accept', {
      token,
      password: 'a-brand-new-password',
      name: 'Ada King',
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.user).toMatchObject({ id: p.userId, name: 'Ada King', role: 'student' });
    expect((await student.get('/api/auth/me')).status).toBe(200);
    const u = await userRow(tm, p.userId);
    expect(u.status).toBe('active');
    expect(u.emailVerifiedAt).toBeInstanceOf(Date);
    expect(await auditOf(tm, 'account.invitation_accepted', p.userId)).toHaveLength(1);
    const issuedAudit = await auditOf(tm, 'account.invitation_issued', p.userId);
    expect(issuedAudit).toHaveLength(1);
    expect(JSON.stringify(issuedAudit[0]!.details)).not.toContain(p.email);

    const again = await new Client(tm.url).post('/api/account/invitation/accept', {
      token,
      password: 'another-password-1',
    });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('link_used');
    expect(again.body.error.message).toMatch(/already used.*sign in/i);
    // The password of the first use stands.
    expect((await new Client(tm.url).signIn(p.email, 'a-brand-new-password')).status).toBe(200);
    // Nothing secret reached the logs.
    const logs = tm.logs.join('\n');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(SMTP_PASSWORD);
  });

  it('refuses an expired link and a replaced one, naming what to do', async () => {
    const p = await invitedParticipant(tm);
    await p.teacher.post(`/api/exams/${p.exam.id}/participants/activation-links`);
    const first = tokenOf((await mailer.next(p.email)).text)!;
    await p.teacher.post(`/api/exams/${p.exam.id}/participants/activation-links`);
    const second = tokenOf((await mailer.next(p.email, (m) => tokenOf(m.text) !== first)).text)!;
    const replaced = await new Client(tm.url).post('/api/account/invitation/accept', {
      token: first,
      password: 'a-brand-new-password',
    });
    expect(replaced.status).toBe(410);
    expect(replaced.body.error.code).toBe('link_used');
    // Time moves on (SQL only sets up the clock).
    await tm.system.db
      .update(accountTokens)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(and(eq(accountTokens.userId, p.userId), eq(accountTokens.purpose, 'invitation')));
    const expired = await new Client(tm.url).post('/api/account/invitation/accept', {
      token: second,
      password: 'a-brand-new-password',
    });
    expect(expired.status).toBe(410);
    expect(expired.body.error).toMatchObject({ code: 'link_expired' });
    expect(expired.body.error.message).toMatch(/expired.*new invitation/i);
    expect((await userRow(tm, p.userId)).status).toBe('invited');
    const unknown = await new Client(tm.url).post('/api/account/invitation/accept', {
      token: 'x'.repeat(43),
      password: 'a-brand-new-password',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('link_invalid');
  });

  it('answers a weak password and a missing token with 400 naming the field, and changes nothing', async () => {
    const bad = await new Client(tm.url).post('/api/account/invitation/accept', { password: 'short' });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['body.token', 'body.password']));
  });

  it('shows the link with the reason when the mail server refuses the recipient', async () => {
    const p = await invitedParticipant(tm, 'refuse');
    const sent = await p.teacher.post(`/api/exams/${p.exam.id}/participants/activation-links`);
    expect(sent.status).toBe(200);
    const outcome = sent.body.rows[0].outcome;
    expect(outcome).toMatchObject({ delivery: 'shown', reason: expect.stringMatching(/refused.*550/) });
    expect(outcome.reason).not.toContain(SMTP_PASSWORD);
    expect(outcome.url).toMatch(/^http:\/\/localhost:3000\/account\/invitation#token=/);
    const ok = await new Client(tm.url).post('/api/account/invitation/accept', {
      token: tokenOf(outcome.url),
      password: 'a-brand-new-password',
    });
    expect(ok.status).toBe(200);
  });
});

describe('the mailer', () => {
  const message = { to: 'someone@school.example', subject: 'Hi', text: 'Hi', html: '<p>Hi</p>' };
  const from = 'Exam Hall <no-reply@localhost>';

  it('is null without SMTP_URL', () => {
    expect(createMailer({ mail: { smtpUrl: null, from } })).toBeNull();
  });

  it('reports a refused sign-in and an unreachable server without the credentials', async () => {
    const wrong = mailer.url.replace(SMTP_PASSWORD, 'Wrong-pass-7741');
    const refused = await createMailer({ mail: { smtpUrl: wrong, from } })!
      .send(message)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MailError);
    expect((refused as Error).message).toBe('The mail server did not accept the sign-in of SMTP_URL.');
    // A port nothing listens on (the catcher's, once closed, is not ours to close): port 1.
    const down = await createMailer({ mail: { smtpUrl: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:1`, from } })!
      .send(message)
      .catch((e: unknown) => e);
    expect(down).toBeInstanceOf(MailError);
    expect((down as Error).message).toMatch(/^The mail server could not be reached/);
    expect((down as Error).message).not.toContain(SMTP_PASSWORD);
    expect((refused as Error).message).not.toContain('Wrong-pass-7741');
  });
});

describe('without a mail server', () => {
  it('answers the activation links to show once (skipping accounts with a password), and they work', async () => {
    const p = await invitedParticipant(tn);
    const already = await tn.createUser('student');
    await p.teacher.post(`/api/exams/${p.exam.id}/participants`, { email: already.email });
    const sent = await p.teacher.post(`/api/exams/${p.exam.id}/participants/activation-links`);
    expect(sent.status).toBe(200);
    expect(sent.body.skipped).toBe(1);
    expect(sent.body.rows).toHaveLength(1);
    const { outcome } = sent.body.rows[0];
    expect(outcome).toMatchObject({ delivery: 'shown', url: expect.stringContaining('/account/invitation#token=') });
    expect(outcome.reason).toBeUndefined();
    expect(new Date(outcome.expiresAt).getTime() - Date.now()).toBeGreaterThan(167 * 3_600_000);
    const c = new Client(tn.url);
    expect(
      (await c.post('/api/account/invitation/accept', { token: tokenOf(outcome.url), password: 'a-long-password' }))
        .status,
    ).toBe(200);
  });

  it('says to ask an administrator when a reset is requested, whatever the address', async () => {
    const user = await tn.createUser('teacher');
    const known = await new Client(tn.url).post('/api/account/password-reset/request', { email: user.email });
    const unknown = await new Client(tn.url).post('/api/account/password-reset/request', {
      email: 'nobody-here@school.example',
    });
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    expect(known.body.message).toMatch(/cannot send mail.*administrator/i);
    const tokens = await tn.system.db.select().from(accountTokens).where(eq(accountTokens.userId, user.id));
    expect(tokens).toEqual([]);
  });

  it('lets a code-started student claim the account from the result: active and signed in', async () => {
    const teacher = await signedIn(tn, 'teacher');
    const exam = await publishedExam(tn, teacher);
    const { student, attemptId, email } = await startedAttempt(tn, teacher, exam.id);
    expect((await student.get(`/api/attempts/${attemptId}/result`)).body.canClaimAccount).toBe(true);
    // Someone else's cookie (or none) does not reach it.
    const other = await startedAttempt(tn, teacher, exam.id);
    expect(
      (await other.student.post(`/api/attempts/${attemptId}/claim-account`, { password: 'x'.repeat(12) })).status,
    ).toBe(404);
    expect(
      (await new Client(tn.url).post(`/api/attempts/${attemptId}/claim-account`, { password: 'x'.repeat(12) })).status,
    ).toBe(404);

    const claimed = await student.post(`/api/attempts/${attemptId}/claim-account`, { password: 'my-own-password-1' });
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body).toMatchObject({ outcome: 'signed_in', user: { email, role: 'student' } });
    expect((await student.get('/api/auth/me')).body.user.email).toBe(email);
    const [u] = await tn.system.db.select().from(users).where(eq(users.email, email));
    expect(u).toMatchObject({ status: 'active', emailVerifiedAt: expect.any(Date) });
    expect(await auditOf(tn, 'account.claimed', u!.id)).toHaveLength(1);
    expect((await student.get(`/api/attempts/${attemptId}/result`)).body.canClaimAccount).toBe(false);
    const twice = await student.post(`/api/attempts/${attemptId}/claim-account`, { password: 'my-own-password-2' });
    expect(twice.status).toBe(409);
    expect((await new Client(tn.url).signIn(email, 'my-own-password-1')).status).toBe(200);
  });
});

describe('claiming with mail: the address is confirmed first', () => {
  it('keeps sign-in closed with a clear message until the link is followed', async () => {
    const teacher = await signedIn(tm, 'teacher');
    const exam = await publishedExam(tm, teacher);
    const { student, attemptId, email } = await startedAttempt(tm, teacher, exam.id);
    const claimed = await student.post(`/api/attempts/${attemptId}/claim-account`, { password: 'my-own-password-1' });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ outcome: 'verification_sent', email });
    expect(claimed.body.message).toContain(email);
    expect(claimed.body.message).toContain('It works for 48 hours.');
    const [u] = await tm.system.db.select().from(users).where(eq(users.email, email));
    expect(u!.status).toBe('pending_verification');

    const early = await new Client(tm.url).signIn(email, 'my-own-password-1');
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('email_not_verified');
    expect(early.body.error.message).toBe(
      `Confirm your email first: we sent a link to ${email}. Open it, then sign in. No mail after a few minutes? Check your spam folder, or use "Forgot your password?" to get a new link.`,
    );
    // A wrong password does not learn the account waits for confirmation.
    expect((await new Client(tm.url).signIn(email, 'not-the-password')).body.error.code).toBe('invalid_credentials');

    const mail = await mailer.next(email);
    expect(mail.subject).toMatch(/confirm your email/i);
    expect(mail.html).toContain('/account/verify#token=');
    const verified = await new Client(tm.url).post('/api/account/verify-email', { token: tokenOf(mail.text) });
    expect(verified.status).toBe(200);
    expect(verified.body.message).toMatch(/confirmed/);
    expect((await userRow(tm, u!.id)).status).toBe('active');
    expect((await new Client(tm.url).signIn(email, 'my-own-password-1')).status).toBe(200);
    const reuse = await new Client(tm.url).post('/api/account/verify-email', { token: tokenOf(mail.text) });
    expect(reuse.status).toBe(410);
  });
});

describe('a confirmation mail that never came', () => {
  it('is replaced by a reset link, which confirms the address too', async () => {
    const teacher = await signedIn(tm, 'teacher');
    const exam = await publishedExam(tm, teacher);
    const { student, attemptId, email } = await startedAttempt(tm, teacher, exam.id);
    expect(
      (await student.post(`/api/attempts/${attemptId}/claim-account`, { password: 'my-own-password-1' })).status,
    ).toBe(200);
    await mailer.next(email, (m) => /confirm your email/i.test(m.subject));
    expect((await new Client(tm.url).post('/api/account/password-reset/request', { email })).status).toBe(202);
    const reset = await mailer.next(email, (m) => /reset/i.test(m.subject));
    const done = await new Client(tm.url).post('/api/account/password-reset', {
      token: tokenOf(reset.text),
      password: 'my-own-password-2',
    });
    expect(done.status).toBe(204);
    const [u] = await tm.system.db.select().from(users).where(eq(users.email, email));
    expect(u).toMatchObject({ status: 'active', emailVerifiedAt: expect.any(Date) });
    expect((await new Client(tm.url).signIn(email, 'my-own-password-2')).status).toBe(200);
  });
});

describe('password reset by email', () => {
  it('mails a link that sets the password once, ends every session and its sockets, and expires', async () => {
    const user = await tm.createUser('teacher');
    const laptop = new Client(tm.url);
    const phone = new Client(tm.url);
    await laptop.signIn(user.email, user.password);
    await phone.signIn(user.email, user.password);
    const socket = await openSocket(tm.url, phone);
    const closed = socketClosed(socket);

    const asked = await new Client(tm.url).post('/api/account/password-reset/request', { email: user.email });
    expect(asked.status).toBe(202);
    const unknown = await new Client(tm.url).post('/api/account/password-reset/request', {
      email: 'no-account-here@school.example',
    });
    expect(unknown.body).toEqual(asked.body);
    expect(asked.body.message).toMatch(/^If an account uses this address, we sent it a link .* works for 60 minutes\./);
    const mail = await mailer.next(user.email);
    expect(mail.subject).toMatch(/reset/i);
    expect(mail.text).toMatch(/If you did not ask for this/);
    expect(mail.text).not.toContain(user.password);

    const reset = await new Client(tm.url).post('/api/account/password-reset', {
      token: tokenOf(mail.text),
      password: 'the-new-password-9',
    });
    expect(reset.status, JSON.stringify(reset.body)).toBe(204);
    expect(await closed).toBe('io server disconnect');
    expect((await laptop.get('/api/auth/me')).status).toBe(401);
    expect((await phone.get('/api/auth/me')).status).toBe(401);
    expect((await new Client(tm.url).signIn(user.email, user.password)).status).toBe(401);
    expect((await new Client(tm.url).signIn(user.email, 'the-new-password-9')).status).toBe(200);
    const audited = await auditOf(tm, 'account.password_reset', user.id);
    expect(audited.map((a) => a.details)).toEqual([{ endedSessions: 2 }]);
    const again = await new Client(tm.url).post('/api/account/password-reset', {
      token: tokenOf(mail.text),
      password: 'yet-another-password',
    });
    expect(again.status).toBe(410);
    // No mail went to the address without an account (the known one's arrived after it was asked).
    expect(mailer.mails.some((m) => m.to === 'no-account-here@school.example')).toBe(false);

    await new Client(tm.url).post('/api/account/password-reset/request', { email: user.email });
    const second = await mailer.next(user.email, (m) => tokenOf(m.text) !== tokenOf(mail.text));
    await tm.system.db
      .update(accountTokens)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(and(eq(accountTokens.userId, user.id), eq(accountTokens.purpose, 'password_reset')));
    const late = await new Client(tm.url).post('/api/account/password-reset', {
      token: tokenOf(second.text),
      password: 'yet-another-password',
    });
    expect(late.status).toBe(410);
    expect(late.body.error).toMatchObject({ code: 'link_expired' });
    expect(late.body.error.message).toMatch(/Forgot your password/);
  });

  it('activates an invited account through a reset link an administrator issued', async () => {
    const p = await invitedParticipant(tn);
    const link = await tn.system.db.transaction((tx) =>
      tn.system.services.accountLinks.issue(tx, { userId: p.userId, purpose: 'password_reset', createdBy: null }),
    );
    expect(link.url).toMatch(/^http:\/\/localhost:3000\/account\/reset#token=[A-Za-z0-9_-]{43}$/);
    expect(link.expiresAt.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    const reset = await new Client(tn.url).post('/api/account/password-reset', {
      token: tokenOf(link.url),
      password: 'chosen-by-reset-1',
    });
    expect(reset.status).toBe(204);
    expect(await userRow(tn, p.userId)).toMatchObject({ status: 'active', emailVerifiedAt: expect.any(Date) });
    expect((await new Client(tn.url).signIn(p.email, 'chosen-by-reset-1')).status).toBe(200);
  });

  it('limits reset mails per address, whoever asks', async () => {
    const email = `limit-${Math.random().toString(36).slice(2, 8)}@school.example`;
    const replies = [];
    for (let i = 0; i < 4; i++) {
      replies.push(await new Client(tm.url).post('/api/account/password-reset/request', { email }));
    }
    expect(replies.map((r) => r.status)).toEqual([202, 202, 202, 429]);
    expect(replies[3]!.body.error.message).toMatch(/Too many reset requests for this address/);
    expect(Number(replies[3]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('signed in: password change and signing out elsewhere', () => {
  it('changes the password after checking the current one; other sessions and their sockets end', async () => {
    const user = await tm.createUser('proctor');
    const here = new Client(tm.url);
    const there = new Client(tm.url);
    await here.signIn(user.email, user.password);
    await there.signIn(user.email, user.password);
    const socket = await openSocket(tm.url, there);
    const closed = socketClosed(socket);

    const wrong = await here.post('/api/account/password', {
      currentPassword: 'not-it',
      newPassword: 'a-new-password-42',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.fields).toEqual([
      { path: 'body.currentPassword', message: 'The current password is not right' },
    ]);
    const weak = await here.post('/api/account/password', { currentPassword: user.password, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.fields[0].path).toBe('body.newPassword');

    const ok = await here.post('/api/account/password', {
      currentPassword: user.password,
      newPassword: 'a-new-password-42',
    });
    expect(ok.status).toBe(204);
    expect(await closed).toBe('io server disconnect');
    expect((await there.get('/api/auth/me')).status).toBe(401);
    expect((await here.get('/api/auth/me')).status).toBe(200);
    expect((await new Client(tm.url).signIn(user.email, 'a-new-password-42')).status).toBe(200);
    expect((await auditOf(tm, 'account.password_changed', user.id)).map((a) => a.details)).toEqual([
      { endedSessions: 1 },
    ]);
  });

  it('signs out everywhere else, closing those sockets, and keeps this session', async () => {
    const user = await tm.createUser('student');
    const clients = [new Client(tm.url), new Client(tm.url), new Client(tm.url)];
    for (const c of clients) await c.signIn(user.email, user.password);
    const sockets = await Promise.all([openSocket(tm.url, clients[1]!), openSocket(tm.url, clients[2]!)]);
    const closed = sockets.map(socketClosed);
    const r = await clients[0]!.post('/api/auth/sessions/revoke-others');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ revoked: 2 });
    expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);
    expect((await clients[1]!.get('/api/auth/me')).status).toBe(401);
    expect((await clients[2]!.get('/api/auth/me')).status).toBe(401);
    expect((await clients[0]!.get('/api/auth/me')).status).toBe(200);
    expect((await auditOf(tm, 'auth.sessions_revoked_others', user.id)).map((a) => a.details)).toEqual([{ count: 2 }]);
  });
});

describe('who may do what', () => {
  it('refuses the signed-in routes to anonymous callers', async () => {
    const anon = new Client(tm.url);
    expect((await anon.post('/api/auth/sessions/revoke-others')).status).toBe(401);
    expect(
      (await anon.post('/api/account/password', { currentPassword: 'x', newPassword: 'a-new-password-42' })).status,
    ).toBe(401);
  });

  it('lets only the exam’s teacher or an admin send activation links', async () => {
    const p = await invitedParticipant(tn);
    const path = `/api/exams/${p.exam.id}/participants/activation-links`;
    expect((await new Client(tn.url).post(path)).status).toBe(401);
    expect((await (await signedIn(tn, 'student')).post(path)).status).toBe(403);
    expect((await (await signedIn(tn, 'proctor')).post(path)).status).toBe(403);
    expect((await (await signedIn(tn, 'teacher')).post(path)).status).toBe(404);
    const tokens = await tn.system.db.select().from(accountTokens).where(eq(accountTokens.userId, p.userId));
    expect(tokens).toEqual([]);
    const admin = await signedIn(tn, 'admin');
    const r = await admin.post(path);
    expect(r.status).toBe(200);
    expect(r.body.rows).toHaveLength(1);
  });
});

describe('limits and atomicity', () => {
  it('answers 50 parallel wrong tokens mostly with 429, never 5xx', async () => {
    const burst = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        new Client(tm.url, { 'x-test': String(i) }).post('/api/account/password-reset', {
          token: `wrong-token-${i}-${'y'.repeat(20)}`,
          password: 'a-long-enough-password',
        }),
      ),
    );
    const statuses = burst.map((r) => r.status);
    const limited = statuses.filter((s) => s === 429).length;
    expect(statuses.every((s) => s === 400 || s === 429)).toBe(true);
    expect(limited).toBeGreaterThanOrEqual(40);
    const refused = burst.find((r) => r.status === 429)!;
    expect(refused.body.error.message).toMatch(/Too many links that do not work from this device. Try again in/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('lets one of five parallel uses of a link win, and one of two parallel claims', async () => {
    const user = await tn.createUser('teacher');
    const link = await tn.system.db.transaction((tx) =>
      tn.system.services.accountLinks.issue(tx, { userId: user.id, purpose: 'password_reset', createdBy: null }),
    );
    const tries = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        new Client(tn.url).post('/api/account/password-reset', {
          token: tokenOf(link.url),
          password: `parallel-password-${i}`,
        }),
      ),
    );
    expect(tries.map((r) => r.status).sort()).toEqual([204, 410, 410, 410, 410]);
    const winner = tries.findIndex((r) => r.status === 204) + 1;
    expect((await new Client(tn.url).signIn(user.email, `parallel-password-${winner}`)).status).toBe(200);
    expect(await auditOf(tn, 'account.password_reset', user.id)).toHaveLength(1);

    const teacher = await signedIn(tn, 'teacher');
    const exam = await publishedExam(tn, teacher);
    const { student, attemptId, email } = await startedAttempt(tn, teacher, exam.id);
    const claims = await Promise.all(
      ['first', 'second'].map((w) =>
        student.post(`/api/attempts/${attemptId}/claim-account`, { password: `${w}-claimed-password` }),
      ),
    );
    expect(claims.map((r) => r.status).sort()).toEqual([200, 409]);
    const won = claims[0]!.status === 200 ? 'first' : 'second';
    expect((await new Client(tn.url).signIn(email, `${won}-claimed-password`)).status).toBe(200);
  });

  it('rolls the invitation acceptance back when its audit row cannot be written', async () => {
    const p = await invitedParticipant(tn);
    const sent = await p.teacher.post(`/api/exams/${p.exam.id}/participants/activation-links`);
    const token = tokenOf(sent.body.rows[0].outcome.url)!;
    const db = tn.system.db;
    await db.execute(
      sql.raw(`create function refuse_account_audit() returns trigger language plpgsql as $$
        begin
          if new.action = 'account.invitation_accepted' then raise exception 'audit refused'; end if;
          return new;
        end $$;
        create trigger refuse_account_audit before insert on audit_logs for each row execute function refuse_account_audit();`),
    );
    try {
      const failed = await new Client(tn.url).post('/api/account/invitation/accept', {
        token,
        password: 'a-brand-new-password',
      });
      expect(failed.status).toBe(500);
      expect(failed.headers.get('set-cookie')).toBeNull();
    } finally {
      await db.execute(
        sql.raw('drop trigger refuse_account_audit on audit_logs; drop function refuse_account_audit();'),
      );
    }
    const u = await userRow(tn, p.userId);
    expect(u).toMatchObject({ status: 'invited', passwordHash: null });
    // The link was not spent: it still works.
    const ok = await new Client(tn.url).post('/api/account/invitation/accept', {
      token,
      password: 'a-brand-new-password',
    });
    expect(ok.status).toBe(200);
  });
});
