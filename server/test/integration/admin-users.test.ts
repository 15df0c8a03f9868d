// The admin console's accounts: list and search, invite one by one or from CSV, change
// role, suspend (sessions and sockets end at once) and reactivate, links to pass on,
// self and last-admin protections, who may call what, and the audit log's filters and CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { accountTokens, auditLogs, sessions, users } from '../../src/db/schema/index.ts';
import { parseCsv } from '../../src/lib/csv.ts';
import { chunks as auditChunks } from '../../src/modules/audit/audit.service.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo.seed.ts';
import { DEMO_INVITED, DEMO_PEOPLE, DEMO_SUSPENDED, seedDemoPeople } from '../../src/demo/demo-people.seed.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, openSocket, type TestSocket } from '../support/sockets.ts';
import { waitFor } from '../support/certificates.ts';

let t: TestSystem;
let admin: Awaited<ReturnType<typeof signedIn>>;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestSystem();
  admin = await signedIn(t, 'admin');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const uniq = () => Math.random().toString(36).slice(2, 10);
const csv = (c: Client, body: string) =>
  c.post('/api/admin/users/import', body, { 'content-type': 'text/csv; charset=utf-8' });
const userRow = async (id: string) => (await t.system.db.select().from(users).where(eq(users.id, id)))[0]!;
const auditFor = (action: string, targetId: string) =>
  t.system.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.action, action), eq(auditLogs.targetId, targetId)));

/** A trigger in this test file's own database refuses the audit rows of one action. */
async function refusingAudit<T>(action: string, work: () => Promise<T>) {
  const db = t.system.db;
  await db.execute(
    sql.raw(`create function refuse_users_audit() returns trigger language plpgsql as $$
      begin
        if new.action = '${action}' then raise exception 'audit refused'; end if;
        return new;
      end $$;
      create trigger refuse_users_audit before insert on audit_logs for each row execute function refuse_users_audit();`),
  );
  try {
    return await work();
  } finally {
    await db.execute(sql.raw('drop trigger refuse_users_audit on audit_logs; drop function refuse_users_audit();'));
  }
}

describe('who may manage accounts', () => {
  it('refuses anonymous callers (401) and teachers, proctors and students (403) on every route', async () => {
    const someone = await t.createUser('student');
    const id = someone.id;
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/users/counts'],
      ['GET', `/api/admin/users/${id}`],
      ['POST', '/api/admin/users', { email: `x-${uniq()}@school.example`, name: 'X', role: 'teacher' }],
      ['POST', '/api/admin/users/import', 'email,name,role\nrbac@school.example,R,teacher\n'],
      ['PATCH', `/api/admin/users/${id}/role`, { role: 'admin' }],
      ['POST', `/api/admin/users/${id}/suspend`, {}],
      ['POST', `/api/admin/users/${id}/reactivate`],
      ['POST', `/api/admin/users/${id}/reset-link`],
      ['POST', `/api/admin/users/${id}/invitation`],
      ['GET', '/api/audit-logs'],
      ['GET', '/api/audit-logs.csv'],
    ];
    const callers: [string, Client, number][] = [['anonymous', new Client(t.url), 401]];
    for (const role of ['teacher', 'proctor', 'student'] as const) callers.push([role, await signedIn(t, role), 403]);
    for (const [who, c, status] of callers) {
      for (const [method, path, body] of routes) {
        const headers = typeof body === 'string' ? { 'content-type': 'text/csv' } : undefined;
        const res = await c.request(method, path, body, headers);
        expect(res.status, `${who} ${method} ${path}`).toBe(status);
      }
    }
    // Nothing changed: the student is still a student, nobody called rbac@ exists.
    expect(await userRow(id)).toMatchObject({ role: 'student', status: 'active' });
    expect(await t.system.db.select().from(users).where(eq(users.email, 'rbac@school.example'))).toEqual([]);
  });
});

describe('the list', () => {
  it('searches name and email case-insensitively, filters by role and status, pages with a total', async () => {
    const tag = uniq();
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await admin.post('/api/admin/users', {
        email: `Pat.${tag}.${i}@School.example`,
        name: `Pat ${tag.toUpperCase()} ${i}`,
        role: i < 4 ? 'teacher' : 'proctor',
      });
      expect(res.status).toBe(201);
      made.push(res.body.user.id);
    }
    const page1 = await admin.get(`/api/admin/users?search=${tag}&limit=3`);
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ total: 7, page: 1, pageSize: 3 });
    expect(page1.body.users).toHaveLength(3);
    const page3 = await admin.get(`/api/admin/users?search=${tag}&limit=3&page=3`);
    expect(page3.body.users).toHaveLength(1);
    expect(page3.body.total).toBe(7);
    const past = await admin.get(`/api/admin/users?search=${tag}&limit=3&page=9`);
    expect(past.body).toMatchObject({ users: [], total: 7 });
    // By name in another case, and by email.
    expect((await admin.get(`/api/admin/users?search=PAT%20${tag}`)).body.total).toBe(7);
    expect((await admin.get(`/api/admin/users?search=pat.${tag}.3@`)).body.users.map((u: any) => u.id)).toEqual([
      made[3],
    ]);
    expect((await admin.get(`/api/admin/users?search=${tag}&role=proctor`)).body.total).toBe(3);
    expect((await admin.get(`/api/admin/users?search=${tag}&status=invited`)).body.total).toBe(7);
    expect((await admin.get(`/api/admin/users?search=${tag}&status=active`)).body.total).toBe(0);
    // LIKE wildcards are literal.
    expect((await admin.get('/api/admin/users?search=%25%25')).body.total).toBe(0);
    const bad = await admin.get('/api/admin/users?role=wizard&status=gone&page=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'query.page',
      'query.role',
      'query.status',
    ]);
    const counts = await admin.get('/api/admin/users/counts');
    expect(counts.body.byRole.teacher).toBeGreaterThanOrEqual(4);
    expect(counts.body.byStatus.invited).toBeGreaterThanOrEqual(7);
    expect(counts.body.total).toBe(
      Object.values(counts.body.byRole as Record<string, number>).reduce((a, b) => a + b, 0),
    );
  });

  it('answers a search over 10,000 accounts quickly', async () => {
    const tag = uniq();
    await t.system.db.execute(
      sql`insert into users (email, name, role, status)
          select 'bulk-' || ${tag} || '-' || g || '@school.example', 'Bulk Person ' || g, 'student', 'active'
          from generate_series(1, 10000) g`,
    );
    await t.system.db.execute(sql`analyze users`);
    const timings: number[] = [];
    for (const q of [`search=person%209999`, `search=${tag}-5&role=student`, `search=nobody-at-all`, 'page=200']) {
      const started = performance.now();
      const res = await admin.get(`/api/admin/users?${q}`);
      timings.push(performance.now() - started);
      expect(res.status).toBe(200);
    }
    console.log(`admin user search over 10,000+ accounts: ${timings.map((ms) => `${ms.toFixed(1)} ms`).join(', ')}`);
    expect(Math.max(...timings)).toBeLessThan(1000);
  });
});

describe('creating accounts', () => {
  it('creates an invited account with an invitation link shown once (no mail server), audited without the email', async () => {
    const email = `new-${uniq()}@school.example`;
    const res = await admin.post('/api/admin/users', {
      email: `  ${email.toUpperCase()} `,
      name: ' Nia ',
      role: 'proctor',
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email, name: 'Nia', role: 'proctor', status: 'invited', hasPassword: false });
    expect(res.body.link).toMatchObject({
      delivery: 'shown',
      url: expect.stringMatching(/\/account\/invitation#token=/),
    });
    const [token] = await t.system.db.select().from(accountTokens).where(eq(accountTokens.userId, res.body.user.id));
    expect(token).toMatchObject({ purpose: 'invitation', createdBy: admin.user.id, usedAt: null });
    const [row] = await auditFor('user.created', res.body.user.id);
    expect(row).toMatchObject({ actorId: admin.user.id, targetType: 'user' });
    expect(JSON.stringify(row!.details)).not.toContain('@');

    const again = await admin.post('/api/admin/users', { email, name: 'Someone', role: 'teacher' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(email);
    const bad = await admin.post('/api/admin/users', { email: 'nope', name: '', role: 'king' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'body.email',
      'body.name',
      'body.role',
    ]);
  });

  it('imports a CSV with an outcome per row: created, exists, invalid (bad email, unknown role, duplicate)', async () => {
    const tag = uniq();
    const existing = await t.createUser('teacher');
    const file = [
      'Email,Name,Role',
      `ok1-${tag}@school.example,Ada One,teacher`,
      `ok2-${tag}@school.example,"=HYPERLINK(""http://evil.example"")",Student`,
      `${existing.email},Again,teacher`,
      `not-an-email,Bad,teacher`,
      `role-${tag}@school.example,Role,wizard`,
      `ok1-${tag}@school.example,Twice,proctor`,
      `norole-${tag}@school.example,No role,`,
      ',,',
      `ok3-${tag}@school.example,,proctor`,
    ].join('\r\n');
    const res = await csv(admin, file);
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ created: 3, exists: 1, invalid: 4 });
    const byRow = new Map(res.body.rows.map((r: { row: number }) => [r.row, r]));
    expect(byRow.get(2)).toMatchObject({ outcome: 'created', link: { delivery: 'shown' } });
    expect(byRow.get(3)).toMatchObject({ outcome: 'created' });
    expect(byRow.get(4)).toMatchObject({
      outcome: 'exists',
      userId: existing.id,
      reason: expect.stringMatching(/teacher, active/),
    });
    expect(byRow.get(5)).toMatchObject({ outcome: 'invalid', reason: '"not-an-email" is not a valid email address.' });
    expect(byRow.get(6)).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/"wizard" is not a role/) });
    expect(byRow.get(7)).toMatchObject({ outcome: 'invalid', reason: 'Duplicate of row 2 in this file.' });
    expect(byRow.get(8)).toMatchObject({ outcome: 'invalid', reason: expect.stringMatching(/role is missing/) });
    expect(byRow.has(9)).toBe(false); // a blank row is not a row
    expect(byRow.get(10)).toMatchObject({ outcome: 'created' });
    const created = await t.system.db
      .select()
      .from(users)
      .where(
        inArray(users.email, [`ok1-${tag}@school.example`, `ok2-${tag}@school.example`, `ok3-${tag}@school.example`]),
      );
    const byEmail = new Map(created.map((u) => [u.email, u]));
    // The formula-looking name is stored as the text it is.
    expect(byEmail.get(`ok2-${tag}@school.example`)).toMatchObject({
      name: '=HYPERLINK("http://evil.example")',
      role: 'student',
      status: 'invited',
    });
    expect(byEmail.get(`ok3-${tag}@school.example`)).toMatchObject({ name: `ok3-${tag}`, role: 'proctor' });
    expect((await userRow(existing.id)).name).not.toBe('Again');
    const audits = await t.system.db
      .select()
      .from(auditLogs)
      .where(
        inArray(
          auditLogs.targetId,
          created.map((u) => u.id),
        ),
      );
    expect(audits.filter((a) => a.action === 'user.created')).toHaveLength(3);

    // File-level problems change nothing.
    const noRole = await csv(admin, `email,name\nx-${tag}@school.example,X\n`);
    expect(noRole.status).toBe(400);
    expect(noRole.body.error.message).toMatch(/"email" and "role"/);
    const tooMany = await csv(
      admin,
      ['email,role', ...Array.from({ length: 1001 }, (_, i) => `many-${tag}-${i}@school.example,student`)].join('\n'),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/1001 rows; at most 1,000/);
    const broken = await csv(admin, 'email,role\n"open,teacher\n');
    expect(broken.status).toBe(400);
    const json = await admin.post('/api/admin/users/import', { email: 'a@b.example' });
    expect(json.status).toBe(400);
    expect(
      await t.system.db
        .select()
        .from(users)
        .where(sql`${users.email} like ${`%-${tag}-%`}`),
    ).toEqual([]);
  });
});

describe('role changes', () => {
  it('changes the role, audited, and closes the user’s sockets so they reconnect with it', async () => {
    const teacher = await signedIn(t, 'teacher');
    const socket = await openSocket(t.url, teacher);
    sockets.push(socket);
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    const res = await admin.request('PATCH', `/api/admin/users/${teacher.user.id}/role`, { role: 'proctor' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: teacher.user.id, role: 'proctor', status: 'active' });
    expect(await closed).toBe('io server disconnect');
    // Still signed in, now as a proctor.
    expect((await teacher.get('/api/auth/me')).body.user.role).toBe('proctor');
    expect((await teacher.get('/api/exams')).status).toBe(403);
    const [row] = await auditFor('user.role_changed', teacher.user.id);
    expect(row!.details).toEqual({ from: 'teacher', to: 'proctor' });
    // The same role again changes nothing and is not audited twice.
    await admin.request('PATCH', `/api/admin/users/${teacher.user.id}/role`, { role: 'proctor' });
    expect(await auditFor('user.role_changed', teacher.user.id)).toHaveLength(1);
    expect((await admin.request('PATCH', `/api/admin/users/${teacher.user.id}/role`, { role: 'root' })).status).toBe(
      400,
    );
    const missing = await admin.request('PATCH', `/api/admin/users/${crypto.randomUUID()}/role`, { role: 'student' });
    expect(missing.status).toBe(404);
  });
});

describe('suspension', () => {
  it('stops a student who started with a code: the attempt cookie and its socket end, no new code or resume code works', async () => {
    const teacher = await signedIn(t, 'teacher');
    const exam = await publishedExam(t, teacher);
    const { student, attemptId, email } = await startedAttempt(t, teacher, exam.id);
    const socket = await openSocket(t.url, student);
    sockets.push(socket);
    await call(socket, 'attempt:join', { attemptId, deviceId: 'suspend-device-01' });
    const told = new Promise<{ reason: string }>((resolve) => socket.once('session:ended', resolve));
    const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const [row] = await t.system.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    // A code for a second exam, handed out before the suspension (adding a suspended account is refused).
    const other = await publishedExam(t, teacher);
    const inv = await teacher.post(`/api/exams/${other.id}/participants`, { email });
    expect(inv.status).toBe(201);
    const started = performance.now();
    expect((await admin.post(`/api/admin/users/${row!.id}/suspend`, {})).status).toBe(200);
    await closed;
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(1000);
    expect(await told).toEqual({ reason: 'suspended' });
    // The cookie no longer opens the attempt, over HTTP or a new socket.
    expect((await student.get(`/api/attempts/${attemptId}`)).status).toBe(404);
    const again = await openSocket(t.url, student);
    sockets.push(again);
    await expect(call(again, 'attempt:join', { attemptId, deviceId: 'suspend-device-02' })).rejects.toThrow(
      /not_found/,
    );
    // The code handed out earlier is refused, naming the suspension; so is a resume code from the proctor.
    const entry = await new Client(t.url).post('/api/attempts/start', { email, code: inv.body.code });
    expect(entry.status).toBe(403);
    expect(entry.body.error.message).toMatch(/suspended/);
    const resume = await teacher.post(`/api/attempts/${attemptId}/resume-codes`);
    expect(resume.status, JSON.stringify(resume.body)).toBe(201);
    const moved = await new Client(t.url).post('/api/attempts/resume', { email, code: resume.body.code });
    expect(moved.status).toBe(403);
    const [audit] = await auditFor('user.suspended', row!.id);
    expect(audit!.details).toMatchObject({ attemptCookiesWithdrawn: 1 });
  });

  it('ends every session and closes the user’s sockets within a second; no sign-in, no refresh', async () => {
    const target = await t.createUser('teacher');
    const laptop = new Client(t.url);
    const phone = new Client(t.url);
    expect((await laptop.signIn(target.email, target.password)).status).toBe(200);
    expect((await phone.signIn(target.email, target.password)).status).toBe(200);
    const a = await openSocket(t.url, laptop);
    const b = await openSocket(t.url, phone);
    sockets.push(a, b);
    const told = new Promise<{ reason: string }>((resolve) => a.once('session:ended', resolve));
    const closedWithin = (s: TestSocket, started: number) =>
      new Promise<number>((resolve) => s.once('disconnect', () => resolve(performance.now() - started)));
    const started = performance.now();
    const waits = [closedWithin(a, started), closedWithin(b, started)];
    const res = await admin.post(`/api/admin/users/${target.id}/suspend`, { reason: 'Left the school' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'suspended', suspendedAt: expect.any(String) });
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('a socket was still open 1000 ms after the suspension was asked for')), 1000),
    );
    const ms = await Promise.race([Promise.all(waits), deadline]);
    console.log(
      `suspension closed both sockets ${ms.map((m) => `${m.toFixed(0)} ms`).join(' and ')} after the request`,
    );
    expect(await told).toEqual({ reason: 'suspended' });

    for (const c of [laptop, phone]) {
      const me = await c.request('GET', '/api/auth/me');
      expect(me.status).toBe(401);
    }
    const open = await t.system.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, target.id), isNull(sessions.revokedAt)));
    expect(open).toEqual([]);
    expect((await laptop.post('/api/auth/refresh')).status).toBe(401);
    expect((await new Client(t.url).signIn(target.email, target.password)).status).toBe(401);
    await expect(openSocket(t.url, phone)).rejects.toThrow(/session_revoked|unauthenticated/);
    const [row] = await auditFor('user.suspended', target.id);
    expect(row!.details).toMatchObject({ previousStatus: 'active', sessionsEnded: 2, reason: 'Left the school' });

    const again = await admin.post(`/api/admin/users/${target.id}/suspend`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already suspended/);
    // A suspended account gets no links.
    expect((await admin.post(`/api/admin/users/${target.id}/reset-link`)).status).toBe(409);

    const back = await admin.post(`/api/admin/users/${target.id}/reactivate`);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'active', suspendedAt: null });
    expect((await new Client(t.url).signIn(target.email, target.password)).status).toBe(200);
    expect(await auditFor('user.reactivated', target.id)).toHaveLength(1);
    expect((await admin.post(`/api/admin/users/${target.id}/reactivate`)).status).toBe(409);
  });

  it('revokes unused invitation links, and an invited account goes back to invited when reactivated', async () => {
    const email = `inv-${uniq()}@school.example`;
    const created = await admin.post('/api/admin/users', { email, name: 'Ivo', role: 'student' });
    const id = created.body.user.id as string;
    expect((await admin.post(`/api/admin/users/${id}/suspend`, {})).status).toBe(200);
    const live = await t.system.db
      .select()
      .from(accountTokens)
      .where(and(eq(accountTokens.userId, id), isNull(accountTokens.revokedAt), isNull(accountTokens.usedAt)));
    expect(live).toEqual([]);
    expect((await admin.post(`/api/admin/users/${id}/invitation`)).status).toBe(409);
    const back = await admin.post(`/api/admin/users/${id}/reactivate`);
    expect(back.body.status).toBe('invited');
    const invite = await admin.post(`/api/admin/users/${id}/invitation`);
    expect(invite.status).toBe(200);
    expect(invite.body.link).toMatchObject({
      delivery: 'shown',
      url: expect.stringContaining('/account/invitation#token='),
    });
    // An invited account has no password to reset.
    const reset = await admin.post(`/api/admin/users/${id}/reset-link`);
    expect(reset.status).toBe(409);
    expect(reset.body.error.message).toMatch(/re-send the invitation/);
  });

  it('rolls the suspension back when its audit row cannot be written', async () => {
    const target = await signedIn(t, 'proctor');
    const res = await refusingAudit('user.suspended', () =>
      admin.post(`/api/admin/users/${target.user.id}/suspend`, {}),
    );
    expect(res.status).toBe(500);
    expect(await userRow(target.user.id)).toMatchObject({ status: 'active', suspendedAt: null });
    expect((await target.get('/api/auth/me')).status).toBe(200);
  });
});

describe('links to pass on', () => {
  it('issues a password-reset link for an account with a password, audited without the link', async () => {
    const target = await t.createUser('teacher');
    const res = await admin.post(`/api/admin/users/${target.id}/reset-link`);
    expect(res.status).toBe(200);
    expect(res.body.link).toMatchObject({ delivery: 'shown', url: expect.stringContaining('/account/reset#token=') });
    const [row] = await auditFor('user.password_reset_issued', target.id);
    expect(JSON.stringify(row!.details)).not.toContain('token');
    expect((await admin.post(`/api/admin/users/${target.id}/invitation`)).status).toBe(409);
  });
});

describe('protections', () => {
  it('an admin cannot suspend or demote themselves', async () => {
    const me = await signedIn(t, 'admin');
    const suspend = await me.post(`/api/admin/users/${me.user.id}/suspend`, {});
    expect(suspend.status).toBe(409);
    expect(suspend.body.error.message).toMatch(/your own account/);
    const demote = await me.request('PATCH', `/api/admin/users/${me.user.id}/role`, { role: 'teacher' });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toMatch(/administrator role from yourself/);
    expect(await userRow(me.user.id)).toMatchObject({ role: 'admin', status: 'active' });
    expect((await me.get('/api/auth/me')).status).toBe(200);
  });

  /**
   * Both requests are let through authentication while the admin rows are held by this
   * test, so both really are in flight together: without the lock on every active admin,
   * each would suspend (or demote) the other and nobody could manage accounts any more.
   */
  async function atOnce(ids: string[], requests: () => Promise<{ status: number }>[]) {
    const db = t.system.db;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holding = db.transaction(async (tx) => {
      await tx.select({ id: users.id }).from(users).where(inArray(users.id, ids)).for('update');
      locked();
      await released;
    });
    // The rows must be held before the requests go out. (They once went out first: under
    // load one request then took every admin row and finished, the holder queued behind
    // it, and only one waiter was ever left for the count below: a 45 s timeout.)
    await Promise.race([isLocked, holding]);
    const replies = Promise.all(requests());
    try {
      await waitFor(
        'both requests waiting for the admin rows',
        async () => {
          const [row] = (
            await db.execute<{ n: number }>(
              sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
            )
          ).rows;
          return (row?.n ?? 0) >= 2;
        },
        45_000,
      );
    } finally {
      // Always let go of the rows, so a failure here cannot hang the tests after it.
      release();
      await holding;
    }
    return (await replies).map((r) => r.status);
  }

  it('two admins suspending or demoting each other at once: one wins, the other is refused, an admin remains', async () => {
    const a = await signedIn(t, 'admin');
    const b = await signedIn(t, 'admin');
    const suspended = await atOnce([a.user.id, b.user.id], () => [
      a.post(`/api/admin/users/${b.user.id}/suspend`, {}),
      b.post(`/api/admin/users/${a.user.id}/suspend`, {}),
    ]);
    expect(suspended.sort()).toEqual([200, 403]);
    const states = [await userRow(a.user.id), await userRow(b.user.id)].map((u) => u.status).sort();
    expect(states).toEqual(['active', 'suspended']);

    const c = await signedIn(t, 'admin');
    const d = await signedIn(t, 'admin');
    const demoted = await atOnce([c.user.id, d.user.id], () => [
      c.request('PATCH', `/api/admin/users/${d.user.id}/role`, { role: 'teacher' }),
      d.request('PATCH', `/api/admin/users/${c.user.id}/role`, { role: 'teacher' }),
    ]);
    expect(demoted.sort()).toEqual([200, 403]);
    const roles = [await userRow(c.user.id), await userRow(d.user.id)].map((u) => u.role).sort();
    expect(roles).toEqual(['admin', 'teacher']);
  }, 120_000);
});

describe('the audit log', () => {
  it('filters by actor (email or id), action (exact or prefix), target and dates, with paging and a total', async () => {
    const other = await signedIn(t, 'admin');
    const target = await t.createUser('student');
    await other.post(`/api/admin/users/${target.id}/suspend`, { reason: 'x' });
    await other.post(`/api/admin/users/${target.id}/reactivate`);

    const byEmail = await admin.get(`/api/audit-logs?actor=${encodeURIComponent(other.user.email.toUpperCase())}`);
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.entries.map((e: any) => e.action)).toEqual([
      'user.reactivated',
      'user.suspended',
      'auth.sign_in',
    ]);
    expect(byEmail.body.entries[0]).toMatchObject({
      actorEmail: other.user.email,
      actorName: expect.stringMatching(/^Test admin/),
      targetType: 'user',
      targetId: target.id,
    });
    expect(byEmail.body.entries[0]).not.toHaveProperty('ipHash');
    const byId = await admin.get(`/api/audit-logs?actor=${other.user.id}&action=user.`);
    expect(byId.body.total).toBe(2);
    const star = await admin.get(`/api/audit-logs?actor=${other.user.id}&action=user.*`);
    expect(star.body.total).toBe(2);
    const exact = await admin.get(`/api/audit-logs?actor=${other.user.id}&action=user`);
    expect(exact.body.total).toBe(0);
    const target1 = await admin.get(`/api/audit-logs?targetType=user&targetId=${target.id}&limit=1`);
    expect(target1.body).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(target1.body.entries[0].action).toBe('user.reactivated');
    const page2 = await admin.get(`/api/audit-logs?targetType=user&targetId=${target.id}&limit=1&page=2`);
    expect(page2.body.entries[0].action).toBe('user.suspended');
    const today = new Date().toISOString().slice(0, 10);
    expect((await admin.get(`/api/audit-logs?targetId=${target.id}&from=${today}&to=${today}`)).body.total).toBe(2);
    expect((await admin.get(`/api/audit-logs?targetId=${target.id}&to=2000-01-01`)).body.total).toBe(0);
    expect(
      (
        await admin.get(
          `/api/audit-logs?targetId=${target.id}&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
        )
      ).body.total,
    ).toBe(0);

    const bad = await admin.get('/api/audit-logs?actor=nobody&from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['query.from']);
    const badActor = await admin.get('/api/audit-logs?actor=nobody');
    expect(badActor.status).toBe(400);
    expect(badActor.body.error.fields).toEqual([
      { path: 'query.actor', message: 'actor must be an email address or a user id' },
    ]);
    const backwards = await admin.get('/api/audit-logs?from=2026-02-01&to=2026-01-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.fields[0].path).toBe('query.to');
  });

  it('exports the filtered log as formula-safe CSV, audited', async () => {
    const sly = await t.createUser('admin');
    await t.system.db.update(users).set({ name: '=cmd|calc!A1' }).where(eq(users.id, sly.id));
    const c = new Client(t.url);
    expect((await c.signIn(sly.email, sly.password)).status).toBe(200);
    const target = await t.createUser('proctor');
    await c.post(`/api/admin/users/${target.id}/suspend`, { reason: '+1 late, =SUM(A1)' });
    const res = await admin.request('GET', `/api/audit-logs.csv?actor=${sly.id}&action=user.`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="?audit-log-/);
    const records = parseCsv(res.body as string);
    expect(records[0]!.fields).toEqual([
      'time (UTC)',
      'actor email',
      'actor name',
      'actor role',
      'action',
      'target type',
      'target id',
      'request id',
      'details',
    ]);
    expect(records).toHaveLength(2);
    const [, row] = records;
    expect(row!.fields[1]).toBe(sly.email);
    expect(row!.fields[2]).toBe("'=cmd|calc!A1");
    expect(row!.fields[4]).toBe('user.suspended');
    expect(JSON.parse(row!.fields[8]!)).toMatchObject({ reason: '+1 late, =SUM(A1)' });
    expect((await admin.get('/api/audit-logs.csv?actor=nobody')).status).toBe(400);
    // The export's bound holds across chunk boundaries (the route uses 50,000 rows in chunks of 5,000).
    const seen: number[] = [];
    for await (const chunk of auditChunks(t.system.db, {}, 5, 2)) seen.push(...chunk.map((e) => e.id));
    expect(seen).toHaveLength(5);
    expect([...seen].sort((x, y) => y - x)).toEqual(seen);
    expect(new Set(seen).size).toBe(5);
    const exported = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'audit.exported'), eq(auditLogs.actorId, admin.user.id)));
    expect(exported.length).toBeGreaterThanOrEqual(1);
    expect(exported[0]!.details).toEqual({ filters: ['actor', 'action'] });
  });
});

describe('demo data', () => {
  it('adds people of every role, a pending invitation and a suspended account through the service, once', async () => {
    await seedDemo(t.system.db);
    const adminEmail = DEMO_ACCOUNTS.find((a) => a.role === 'admin')!.email;
    const first = await seedDemoPeople(t.system.db, t.system.config, adminEmail);
    expect(first.created).toBe(DEMO_PEOPLE.length + 2);
    const again = await seedDemoPeople(t.system.db, t.system.config, adminEmail);
    expect(again.created).toBe(0);

    const list = await admin.get('/api/admin/users?search=demo.examhall.test&limit=100');
    const byEmail = new Map(list.body.users.map((u: { email: string }) => [u.email, u]));
    for (const role of ['admin', 'teacher', 'proctor', 'student']) {
      expect(list.body.users.filter((u: { role: string }) => u.role === role).length).toBeGreaterThanOrEqual(2);
    }
    expect(byEmail.get(DEMO_INVITED.email)).toMatchObject({ status: 'invited', role: 'teacher', hasPassword: false });
    expect(byEmail.get(DEMO_SUSPENDED.email)).toMatchObject({ status: 'suspended' });
    const sid = byEmail.get(DEMO_SUSPENDED.email) as { id: string };
    const suspended = await auditFor('user.suspended', sid.id);
    expect(suspended).toHaveLength(1);
    expect(suspended[0]).toMatchObject({ requestId: 'demo-seed', actorRole: 'admin' });
  });
});
