import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { io as connect, type Socket } from 'socket.io-client';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '@exam-hall/protocol';
import { auditLogs, sessions } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';

let t: TestSystem;
beforeAll(async () => {
  t = await startTestSystem({ SIGN_IN_MAX_FAILURES: '3', SIGN_IN_LOCKOUT_MINUTES: '15' });
});
afterAll(() => t?.close());

function socketFor(client: Client): Promise<{ socket: Socket; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(t.url, {
      transports: ['websocket'],
      extraHeaders: { cookie: client.cookieHeader() },
      reconnection: false,
    });
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (err) => resolve({ socket, error: err.message }));
  });
}

describe('sign-in', () => {
  it('sets httpOnly SameSite cookies and answers the user', async () => {
    const user = await t.createUser('teacher');
    const c = new Client(t.url);
    const res = await c.signIn(user.email.toUpperCase(), user.password);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: user.id, role: 'teacher', email: user.email });
    const cookies = res.headers.getSetCookie().join('\n');
    expect(cookies).toMatch(new RegExp(`${ACCESS_COOKIE}=[^;]+;.*HttpOnly.*SameSite=Lax`, 'i'));
    expect(cookies).toMatch(new RegExp(`${REFRESH_COOKIE}=[^;]+;.*Path=/api/auth.*HttpOnly.*SameSite=Strict`, 'i'));
    const me = await c.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);
  });

  it('refuses a wrong password and an unknown email with the same answer', async () => {
    const user = await t.createUser('student');
    const wrong = await new Client(t.url).signIn(user.email, 'not-the-password');
    const unknown = await new Client(t.url).signIn('nobody-here@test.example', 'whatever-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('refuses invited and suspended accounts', async () => {
    const invited = await t.createUser('student', { status: 'invited' });
    const suspended = await t.createUser('teacher', { status: 'suspended' });
    expect((await new Client(t.url).signIn(invited.email, invited.password)).status).toBe(401);
    expect((await new Client(t.url).signIn(suspended.email, suspended.password)).status).toBe(401);
  });

  it('locks an account after repeated failures, even for the right password', async () => {
    const user = await t.createUser('proctor');
    const c = new Client(t.url);
    for (let i = 0; i < 3; i++) expect((await c.signIn(user.email, 'wrong-password')).status).toBe(401);
    const locked = await c.signIn(user.email, user.password);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    // Another account from the same address is not locked.
    const other = await t.createUser('proctor');
    expect((await c.signIn(other.email, other.password)).status).toBe(200);
  });

  it('writes sign-in and failure to the audit log with a hashed IP', async () => {
    const user = await t.createUser('student');
    await new Client(t.url).signIn(user.email, 'wrong-password');
    await new Client(t.url).signIn(user.email, user.password);
    const rows = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, user.id));
    expect(rows.map((r) => r.action)).toContain('auth.sign_in_failed');
    const signIns = await t.system.db.select().from(auditLogs).where(eq(auditLogs.actorId, user.id));
    const ok = signIns.find((r) => r.action === 'auth.sign_in');
    expect(ok?.ipHash).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(ok?.ipHash).not.toContain('127.0.0.1');
  });

  it('never writes passwords or tokens to the logs', async () => {
    const user = await t.createUser('student', { password: 'very-secret-password-123' });
    const c = new Client(t.url);
    await c.signIn(user.email, 'very-secret-password-123');
    await c.post('/api/auth/refresh');
    const all = t.logs.join('\n');
    expect(all).toContain('/api/auth/sign-in'); // the requests were logged at all
    expect(all).not.toContain('very-secret-password-123');
    for (const token of c.jar.values()) expect(all).not.toContain(token);
  });
});

describe('refresh rotation', () => {
  it('rotates both tokens and retires the old access token', async () => {
    const user = await t.createUser('teacher');
    const c = new Client(t.url);
    await c.signIn(user.email, user.password);
    const before = new Map(c.jar);
    const res = await c.post('/api/auth/refresh');
    expect(res.status).toBe(200);
    expect(c.jar.get(ACCESS_COOKIE)).not.toBe(before.get(ACCESS_COOKIE));
    expect(c.jar.get(REFRESH_COOKIE)).not.toBe(before.get(REFRESH_COOKIE));
    expect((await c.get('/api/auth/me')).status).toBe(200);
    const stale = new Client(t.url);
    stale.jar.set(ACCESS_COOKIE, before.get(ACCESS_COOKIE)!);
    expect((await stale.get('/api/auth/me')).status).toBe(401);
  });

  it('revokes the whole session when an old refresh token is used again', async () => {
    const user = await t.createUser('student');
    const c = new Client(t.url);
    await c.signIn(user.email, user.password);
    const stolen = new Client(t.url);
    stolen.jar.set(REFRESH_COOKIE, c.jar.get(REFRESH_COOKIE)!);
    expect((await c.post('/api/auth/refresh')).status).toBe(200); // legitimate rotation
    const reuse = await stolen.post('/api/auth/refresh'); // the old token comes back
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('session_revoked');
    // The legitimate holder's newer tokens die with the family.
    const me = await c.get('/api/auth/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('session_revoked');
    expect((await c.post('/api/auth/refresh')).status).toBe(401);
  });

  it('refreshes after the access token expired, but never past the session end', async () => {
    const user = await t.createUser('student');
    const c = new Client(t.url);
    await c.signIn(user.email, user.password);
    const me = await c.get('/api/auth/me');
    const sessionId = me.body.session.id as string;
    await t.system.db
      .update(sessions)
      .set({ accessExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, sessionId));
    expect((await c.get('/api/auth/me')).status).toBe(401);
    expect((await c.post('/api/auth/refresh')).status).toBe(200);
    expect((await c.get('/api/auth/me')).status).toBe(200);
    await t.system.db
      .update(sessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(sessions.id, sessionId));
    expect((await c.get('/api/auth/me')).status).toBe(401);
    expect((await c.post('/api/auth/refresh')).status).toBe(401);
  });

  it('answers 401 without a refresh cookie and for a made-up one', async () => {
    expect((await new Client(t.url).post('/api/auth/refresh')).status).toBe(401);
    const forged = new Client(t.url);
    forged.jar.set(REFRESH_COOKIE, 'made-up-token');
    expect((await forged.post('/api/auth/refresh')).status).toBe(401);
  });
});

describe('sessions', () => {
  it('lists a user’s sessions and revokes another device on HTTP and socket', async () => {
    const user = await t.createUser('teacher');
    const laptop = new Client(t.url);
    const phone = new Client(t.url);
    await laptop.signIn(user.email, user.password);
    await phone.signIn(user.email, user.password);
    const list = await laptop.get('/api/auth/sessions');
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const phoneSession = (await phone.get('/api/auth/me')).body.session.id as string;

    const live = await socketFor(phone);
    expect(live.error).toBeUndefined();
    const ended = new Promise<string>((resolve) => live.socket.once('disconnect', (reason) => resolve(reason)));

    expect((await laptop.delete(`/api/auth/sessions/${phoneSession}`)).status).toBe(204);
    expect(await ended).toBe('io server disconnect');
    const me = await phone.get('/api/auth/me');
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('session_revoked');
    const again = await socketFor(phone);
    expect(again.error).toBe('session_revoked');
    again.socket.close();
    expect((await laptop.get('/api/auth/me')).status).toBe(200);
    expect((await laptop.get('/api/auth/sessions')).body.sessions).toHaveLength(1);
  });

  it('does not let a user revoke someone else’s session', async () => {
    const a = await t.createUser('student');
    const b = await t.createUser('student');
    const ca = new Client(t.url);
    const cb = new Client(t.url);
    await ca.signIn(a.email, a.password);
    await cb.signIn(b.email, b.password);
    const bSession = (await cb.get('/api/auth/me')).body.session.id as string;
    expect((await ca.delete(`/api/auth/sessions/${bSession}`)).status).toBe(404);
    expect((await cb.get('/api/auth/me')).status).toBe(200);
  });

  it('signs out: the session is revoked and the cookies cleared', async () => {
    const user = await t.createUser('proctor');
    const c = new Client(t.url);
    await c.signIn(user.email, user.password);
    const kept = new Client(t.url);
    kept.jar.set(ACCESS_COOKIE, c.jar.get(ACCESS_COOKIE)!);
    const res = await c.post('/api/auth/sign-out');
    expect(res.status).toBe(204);
    expect(c.jar.size).toBe(0);
    expect((await kept.get('/api/auth/me')).status).toBe(401);
    const actions = await t.system.db.select().from(auditLogs).where(eq(auditLogs.actorId, user.id));
    expect(actions.map((a) => a.action)).toContain('auth.sign_out');
  });

  it('authenticates the socket handshake with the session cookie', async () => {
    const user = await t.createUser('student');
    const c = new Client(t.url);
    await c.signIn(user.email, user.password);
    const { socket, error } = await socketFor(c);
    expect(error).toBeUndefined();
    const reply = await socket.emitWithAck('whoami');
    expect(reply).toEqual({
      ok: true,
      data: expect.objectContaining({ user: expect.objectContaining({ id: user.id }) }),
    });
    socket.close();
    const anonymous = await socketFor(new Client(t.url));
    expect(anonymous.error).toBe('unauthenticated');
    anonymous.socket.close();
  });
});
