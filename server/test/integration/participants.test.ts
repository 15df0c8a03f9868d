import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import pg from 'pg';
import { attempts, auditLogs, examParticipants, users } from '../../src/db/schema/index.ts';
import { findParticipantByCode } from '../../src/modules/participants/participants.codes.ts';
import { normalizeCode } from '../../src/modules/participants/access-codes.ts';
import type { Caller } from '../../src/policy/actor.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof as>>;
beforeAll(async () => {
  t = await startTestSystem();
  teacher = await as('teacher');
});
afterAll(() => t?.close());

let seq = 0;
const uniq = () => `${++seq}-${Math.random().toString(36).slice(2, 7)}`;

async function as(role: 'admin' | 'teacher' | 'proctor' | 'student') {
  const user = await t.createUser(role);
  const c = new Client(t.url);
  expect((await c.signIn(user.email, user.password)).status).toBe(200);
  return Object.assign(c, { user });
}

async function newExam(owner = teacher, extra: Record<string, unknown> = {}) {
  const res = await owner.post('/api/exams', {
    title: 'Roster exam',
    durationMinutes: 30,
    availableAnytime: true,
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function courseExam(domains: string[]) {
  const course = await teacher.post('/api/courses', { name: `Course ${uniq()}`, allowedEmailDomains: domains });
  expect(course.status).toBe(201);
  return newExam(teacher, { courseId: course.body.id });
}

const postCsv = (c: Client, examId: string, csv: string) =>
  c.post(`/api/exams/${examId}/participants/import`, csv, { 'content-type': 'text/csv' });

const secret = () => t.system.config.secret;
const CODE_RE = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;

/** What a route hands a service, for calling services directly. */
function callerFor(user: { id: string; email: string }, role: 'teacher' | 'admin' = 'teacher'): Caller {
  return {
    actor: {
      userId: user.id,
      role,
      sessionId: '00000000-0000-0000-0000-000000000000',
      sessionExpiresAt: new Date(Date.now() + 60_000),
      email: user.email,
      name: 'Test',
    },
    ip: '127.0.0.1',
  };
}

/** Counts every SQL statement sent by any pg client while `fn` runs. */
async function countQueries<T>(fn: () => Promise<T>): Promise<{ result: T; queries: number }> {
  const original = pg.Client.prototype.query;
  let queries = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    queries++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { result: await fn(), queries };
  } finally {
    pg.Client.prototype.query = original;
  }
}

describe('adding one participant', () => {
  it('creates an invited student account and answers a code shown only once', async () => {
    const examId = await newExam();
    const email = `new-${uniq()}@school.example`;
    const res = await teacher.post(`/api/exams/${examId}/participants`, { email: email.toUpperCase() });
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(CODE_RE);
    expect(res.body.participant).toMatchObject({
      email,
      name: email.split('@')[0],
      userStatus: 'invited',
      codeStatus: 'unused',
      codeHint: res.body.code.slice(-4),
      codeUsedAt: null,
      attemptCount: 0,
      latestAttempt: null,
    });
    const [account] = await t.system.db.select().from(users).where(eq(users.email, email));
    expect(account).toMatchObject({ status: 'invited', role: 'student', passwordHash: null });

    const again = await teacher.post(`/api/exams/${examId}/participants`, { email });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already a participant/);

    const log = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, res.body.participant.id));
    expect(log.map((l) => l.action)).toEqual(['participant.added']);
    expect(JSON.stringify(log[0]!.details)).not.toContain(email);
  });

  it('uses an existing account as it is and takes the name only for new accounts', async () => {
    const examId = await newExam();
    const student = await t.createUser('student');
    const res = await teacher.post(`/api/exams/${examId}/participants`, { email: student.email, name: 'Ignored' });
    expect(res.status).toBe(201);
    expect(res.body.participant).toMatchObject({ userId: student.id, userStatus: 'active' });
    expect(res.body.participant.name).not.toBe('Ignored');
    const named = await teacher.post(`/api/exams/${examId}/participants`, {
      email: `n-${uniq()}@x.example`,
      name: 'Ana Cruz',
    });
    expect(named.body.participant.name).toBe('Ana Cruz');
  });

  it('refuses invalid emails, other domains, staff accounts and archived exams with clear messages', async () => {
    const examId = await courseExam(['school.edu']);
    const bad = await teacher.post(`/api/exams/${examId}/participants`, { email: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('body.email');
    const other = await teacher.post(`/api/exams/${examId}/participants`, { email: 'kid@gmail.com' });
    expect(other.status).toBe(400);
    expect(other.body.error.message).toBe('The domain gmail.com is not allowed for this course; allowed: school.edu.');

    const open = await newExam();
    const colleague = await t.createUser('teacher');
    const staff = await teacher.post(`/api/exams/${open}/participants`, { email: colleague.email });
    expect(staff.status).toBe(400);
    expect(staff.body.error.message).toMatch(/teacher account; only student accounts/);

    const before = await teacher.post(`/api/exams/${open}/participants`, { email: `b-${uniq()}@x.example` });
    expect((await teacher.post(`/api/exams/${open}/archive`)).status).toBe(200);
    const archived = await teacher.post(`/api/exams/${open}/participants`, { email: `a-${uniq()}@x.example` });
    expect(archived.status).toBe(409);
    expect(archived.body.error.message).toMatch(/archived/);
    expect((await postCsv(teacher, open, 'email\nz@x.example\n')).status).toBe(409);
    expect((await teacher.post(`/api/exams/${open}/participants/${before.body.participant.id}/code`)).status).toBe(409);
    expect((await teacher.post(`/api/exams/${open}/participants/codes/reissue`, { confirm: true })).status).toBe(409);
    expect((await teacher.get(`/api/exams/${open}/participants`)).body.total).toBe(1);
  });
});

describe('CSV import', () => {
  it('adds the good rows and gives every other row its outcome and reason', async () => {
    const examId = await courseExam(['school.edu']);
    const existing = `old-${uniq()}@school.edu`;
    expect((await teacher.post(`/api/exams/${examId}/participants`, { email: existing })).status).toBe(201);
    const enrolled = await t.createUser('student');
    await t.system.db
      .update(users)
      .set({ email: `acct-${uniq()}@school.edu` })
      .where(eq(users.id, enrolled.id));
    const [acct] = await t.system.db.select().from(users).where(eq(users.id, enrolled.id));
    const a = `a-${uniq()}@school.edu`;
    const b = `b-${uniq()}@school.edu`;
    const csv = [
      'Name,Email',
      `"Doe, Jane",${a.toUpperCase()}`,
      `,${b}`,
      'Someone,not-an-email',
      `Again,${a}`,
      'Outsider,x@gmail.com',
      `Old,${existing}`,
      `Long,long-${uniq()}@school.edu`.replace('Long', 'L'.repeat(101)),
      '',
      `Has account,${acct!.email}`,
    ].join('\r\n');
    const res = await postCsv(teacher, examId, csv);
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ added: 3, skipped: 1, rejected: 4 });
    const rows = res.body.rows as { row: number; email: string; outcome: string; reason?: string; code?: string }[];
    expect(rows.map((r) => [r.row, r.outcome, r.reason])).toEqual([
      [2, 'added', undefined],
      [3, 'added', undefined],
      [4, 'rejected', '"not-an-email" is not a valid email address.'],
      [5, 'rejected', 'Duplicate of row 2 in this file.'],
      [6, 'rejected', 'The domain gmail.com is not allowed for this course; allowed: school.edu.'],
      [7, 'skipped', 'Already a participant of this exam.'],
      [8, 'rejected', 'Name must be at most 100 characters.'],
      [10, 'added', undefined],
    ]);
    for (const r of rows.filter((x) => x.outcome === 'added')) expect(r.code).toMatch(CODE_RE);
    for (const r of rows.filter((x) => x.outcome !== 'added')) expect(r.code).toBeUndefined();

    const created = await t.system.db
      .select()
      .from(users)
      .where(inArray(users.email, [a, b]));
    expect(created.map((u) => [u.email, u.name, u.status, u.passwordHash]).sort()).toEqual(
      [
        [a, 'Doe, Jane', 'invited', null],
        [b, b.split('@')[0], 'invited', null],
      ].sort(),
    );
    const list = await teacher.get(`/api/exams/${examId}/participants`);
    expect(list.body.total).toBe(4);

    const codeA = rows[0]!.code!;
    expect((await findParticipantByCode(t.system.db, secret(), a, codeA))?.email).toBe(a);
    const [entry] = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetId, examId), eq(auditLogs.action, 'participants.imported')));
    expect(entry!.details).toEqual({ rows: 8, added: 3, skipped: 1, rejected: 4 });
  });

  it('answers 400 for more than 5,000 rows and adds nothing', async () => {
    const examId = await newExam();
    const tag = uniq();
    const csv = ['email', ...Array.from({ length: 5001 }, (_, i) => `bulk${i}-${tag}@x.example`)].join('\n');
    const res = await postCsv(teacher, examId, csv);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/5001 participant rows; at most 5000/);
    const list = await teacher.get(`/api/exams/${examId}/participants`);
    expect(list.body.total).toBe(0);
    const made = await t.system.db
      .select()
      .from(users)
      .where(eq(users.email, `bulk0-${tag}@x.example`));
    expect(made).toHaveLength(0);
  });

  it('explains what it needs when the body is not a CSV file with an email column', async () => {
    const examId = await newExam();
    const json = await teacher.post(`/api/exams/${examId}/participants/import`, { csv: 'email\na@x.example' });
    expect(json.status).toBe(400);
    expect(json.body.error.message).toMatch(/Content-Type: text\/csv/);
    const noEmail = await postCsv(teacher, examId, 'name\nJane\n');
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.error.message).toMatch(/header with an "email" column/);
    const broken = await postCsv(teacher, examId, 'email\n"a@x.example\n');
    expect(broken.status).toBe(400);
    const huge = await postCsv(teacher, examId, `email\n${'x'.repeat(1100 * 1024)}@x.example\n`);
    expect([huge.status, huge.body.error.code]).toEqual([413, 'payload_too_large']);
  });

  it('issues the same few queries for 10 rows as for 1,000', async () => {
    const caller = callerFor(teacher.user);
    const svc = t.system.services.participants;
    const csvOf = (n: number) =>
      ['email', ...Array.from({ length: n }, (_, i) => `q${i}-${uniq()}@x.example`)].join('\n');
    const small = await countQueries(async () => svc.importCsv(caller, await newExam(), csvOf(10)));
    const large = await countQueries(async () => svc.importCsv(caller, await newExam(), csvOf(1000)));
    expect(small.result.summary.added).toBe(10);
    expect(large.result.summary.added).toBe(1000);
    expect(large.queries).toBe(small.queries);
    expect(large.queries).toBeLessThan(20);
  });
});

describe('listing', () => {
  it('pages, filters and shows attempt progress, with one query per page', async () => {
    const examId = await newExam();
    const tag = uniq();
    const csv = [
      'email,name',
      ...Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}-${tag}@x.example,P ${i}`),
    ];
    expect((await postCsv(teacher, examId, csv.join('\n'))).status).toBe(200);

    const page1 = await teacher.get(`/api/exams/${examId}/participants?limit=5&offset=0`);
    const page3 = await teacher.get(`/api/exams/${examId}/participants?limit=5&offset=10`);
    expect(page1.body.total).toBe(12);
    expect(page1.body.participants).toHaveLength(5);
    expect(page3.body.participants).toHaveLength(2);
    expect(page3.body.total).toBe(12);
    const past = await teacher.get(`/api/exams/${examId}/participants?limit=5&offset=50`);
    expect(past.body).toEqual({ participants: [], total: 12 });

    const [first, second] = page1.body.participants;
    expect(first.email).toBe(`p00-${tag}@x.example`);
    const now = new Date();
    const started = { startedAt: now, deadlineAt: now };
    await t.system.db.insert(attempts).values([
      {
        examId,
        participantId: first.id,
        userId: first.userId,
        status: 'submitted',
        attemptNumber: 1,
        ...started,
        submittedAt: now,
        percentage: 82.5,
      },
      {
        examId,
        participantId: second.id,
        userId: second.userId,
        status: 'submitted',
        attemptNumber: 1,
        ...started,
        submittedAt: now,
        percentage: 40,
      },
      { examId, participantId: second.id, userId: second.userId, status: 'in_progress', attemptNumber: 2, ...started },
    ]);
    await t.system.db
      .update(examParticipants)
      .set({ codeStatus: 'used', codeUsedAt: now })
      .where(inArray(examParticipants.id, [first.id, second.id]));

    const filtered = await teacher.get(`/api/exams/${examId}/participants?codeStatus=used`);
    expect(filtered.body.total).toBe(2);
    expect(filtered.body.participants).toMatchObject([
      { id: first.id, codeStatus: 'used', attemptCount: 1, latestAttempt: { status: 'submitted', percentage: 82.5 } },
      {
        id: second.id,
        codeStatus: 'used',
        attemptCount: 2,
        latestAttempt: { status: 'in_progress', percentage: null },
      },
    ]);
    expect(filtered.body.participants[0].codeUsedAt).toBe(now.toISOString());
    const unused = await teacher.get(`/api/exams/${examId}/participants?codeStatus=unused&limit=1`);
    expect(unused.body).toMatchObject({ total: 10, participants: [{ attemptCount: 0, latestAttempt: null }] });

    const searched = await teacher.get(`/api/exams/${examId}/participants?search=P01-${tag}`);
    expect(searched.body.participants.map((p: { email: string }) => p.email)).toEqual([`p01-${tag}@x.example`]);
    const byName = await teacher.get(`/api/exams/${examId}/participants?search=${encodeURIComponent('p 1')}`);
    expect(byName.body.total).toBe(3); // P 1, P 10, P 11
    expect((await teacher.get(`/api/exams/${examId}/participants?search=%25`)).body.total).toBe(0);
    expect((await teacher.get(`/api/exams/${examId}/participants?limit=500`)).status).toBe(400);

    // The exam check plus one statement, whatever the page size.
    const svc = t.system.services.participants;
    const few = await countQueries(() => svc.list(callerFor(teacher.user).actor, examId, { limit: 2, offset: 0 }));
    const all = await countQueries(() => svc.list(callerFor(teacher.user).actor, examId, { limit: 50, offset: 0 }));
    expect(few.result.participants).toHaveLength(2);
    expect(all.result.participants).toHaveLength(12);
    expect(few.queries).toBe(2);
    expect(all.queries).toBe(2);
  });
});

describe('access', () => {
  it('answers 404 to another teacher and 403 to a student on every participant route', async () => {
    const examId = await newExam();
    const added = await teacher.post(`/api/exams/${examId}/participants`, { email: `acc-${uniq()}@x.example` });
    const pid = added.body.participant.id as string;
    const calls = (c: Client) => [
      c.get(`/api/exams/${examId}/participants`),
      c.post(`/api/exams/${examId}/participants`, { email: `o-${uniq()}@x.example` }),
      postCsv(c, examId, 'email\nq@x.example\n'),
      c.get(`/api/exams/${examId}/participants/export.csv`),
      c.post(`/api/exams/${examId}/participants/codes/export`, {}),
      c.get(`/api/exams/${examId}/participants/codes/reissue`),
      c.post(`/api/exams/${examId}/participants/codes/reissue`, { confirm: true }),
      c.post(`/api/exams/${examId}/participants/${pid}/code`),
      c.delete(`/api/exams/${examId}/participants/${pid}`),
    ];
    const other = await as('teacher');
    for (const res of await Promise.all(calls(other)))
      expect([res.status, res.body.error?.code]).toEqual([404, 'not_found']);
    const student = await as('student');
    for (const res of await Promise.all(calls(student))) expect(res.status).toBe(403);
    expect((await student.get('/api/users/search?prefix=te')).status).toBe(403);
    expect((await new Client(t.url).get(`/api/exams/${examId}/participants`)).status).toBe(401);

    const admin = await as('admin');
    expect((await admin.get(`/api/exams/${examId}/participants`)).body.total).toBe(1);
    // Nothing changed through the refused calls.
    const [row] = await t.system.db.select().from(examParticipants).where(eq(examParticipants.id, pid));
    expect(row!.codeIssuedAt.toISOString()).toBe(added.body.participant.codeIssuedAt);
  });
});

describe('access codes', () => {
  it('are stored only as keyed hashes with a 4-character hint', async () => {
    const examId = await newExam();
    const res = await postCsv(
      teacher,
      examId,
      ['email', ...[1, 2, 3].map((i) => `h${i}-${uniq()}@x.example`)].join('\n'),
    );
    const codes = (res.body.rows as { code: string }[]).map((r) => r.code);
    const client = new pg.Client({ connectionString: t.system.config.database.url });
    await client.connect();
    const dump = await client.query('select row_to_json(p)::text as j from exam_participants p where exam_id = $1', [
      examId,
    ]);
    const logs = await client.query('select details::text as d from audit_logs');
    await client.end();
    expect(dump.rows).toHaveLength(3);
    const stored = dump.rows.map((r) => r.j as string).join('\n') + logs.rows.map((r) => r.d as string).join('\n');
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(normalizeCode(code)!);
      expect(stored).toContain(`"access_code_hint":"${code.slice(-4)}"`);
    }
  });

  it('regenerating voids the old code, and a used code leaves a trace in the audit log', async () => {
    const examId = await newExam();
    const email = `r-${uniq()}@x.example`;
    const added = await teacher.post(`/api/exams/${examId}/participants`, { email });
    const { participant, code: oldCode } = added.body;
    expect((await findParticipantByCode(t.system.db, secret(), email, oldCode))?.id).toBe(participant.id);
    expect(await findParticipantByCode(t.system.db, secret(), 'someone-else@x.example', oldCode)).toBeNull();

    const usedAt = new Date();
    await t.system.db
      .update(examParticipants)
      .set({ codeStatus: 'used', codeUsedAt: usedAt })
      .where(eq(examParticipants.id, participant.id));
    const res = await teacher.post(`/api/exams/${examId}/participants/${participant.id}/code`);
    expect(res.status).toBe(200);
    expect(res.body.code).toMatch(CODE_RE);
    expect(res.body.code).not.toBe(oldCode);
    expect(res.body.participant).toMatchObject({
      codeStatus: 'unused',
      codeUsedAt: null,
      codeHint: res.body.code.slice(-4),
    });

    expect(await findParticipantByCode(t.system.db, secret(), email, oldCode)).toBeNull();
    const found = await findParticipantByCode(
      t.system.db,
      secret(),
      email.toUpperCase(),
      res.body.code.toLowerCase().replaceAll('-', ''),
    );
    expect(found?.id).toBe(participant.id);

    const [entry] = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetId, participant.id), eq(auditLogs.action, 'participant.code_regenerated')));
    expect(entry!.details).toEqual({ examId, previousStatus: 'used', previousUsedAt: usedAt.toISOString() });
  });

  it('finds the right invitation when one email is invited to several exams', async () => {
    const email = `multi-${uniq()}@x.example`;
    const [e1, e2] = [await newExam(), await newExam()];
    const c1 = (await teacher.post(`/api/exams/${e1}/participants`, { email })).body.code;
    const c2 = (await teacher.post(`/api/exams/${e2}/participants`, { email })).body.code;
    expect((await findParticipantByCode(t.system.db, secret(), email, c1))?.examId).toBe(e1);
    expect((await findParticipantByCode(t.system.db, secret(), email, c2))?.examId).toBe(e2);
    expect(await findParticipantByCode(t.system.db, secret(), email, 'ZZZZ-ZZZZ-ZZZZ')).toBeNull();
    expect(await findParticipantByCode(t.system.db, secret(), email, 'not a code')).toBeNull();
    // A soft-deleted exam's codes stop working.
    expect((await teacher.delete(`/api/exams/${e1}`)).status).toBe(204);
    expect(await findParticipantByCode(t.system.db, secret(), email, c1)).toBeNull();
  });
  // The codes CSV and the bulk reissue: participants-codes.test.ts.
});

describe('export and removal', () => {
  it('exports participants as CSV without codes, defusing formula cells', async () => {
    const examId = await newExam();
    const email = `f-${uniq()}@x.example`;
    const imported = await postCsv(
      teacher,
      examId,
      `email,name\n${email},"=HYPERLINK(""http://evil.example"",""click"")"\n`,
    );
    const code = imported.body.rows[0].code as string;
    const res = await teacher.get(`/api/exams/${examId}/participants/export.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, line] = (res.body as string).trim().split('\r\n');
    expect(header).toBe(
      'email,name,account status,code status,code hint,code issued at,code used at,attempts,latest attempt status,latest percentage',
    );
    expect(line).toMatch(
      new RegExp(`^${email},"'=HYPERLINK\\(""http://evil.example"",""click""\\)",invited,unused,${code.slice(-4)},`),
    );
    expect(res.body).not.toContain(code);
  });

  it('removes a participant without attempts and refuses one with an attempt', async () => {
    const examId = await newExam();
    const a = (await teacher.post(`/api/exams/${examId}/participants`, { email: `d1-${uniq()}@x.example` })).body
      .participant;
    const b = (await teacher.post(`/api/exams/${examId}/participants`, { email: `d2-${uniq()}@x.example` })).body
      .participant;
    await t.system.db.insert(attempts).values({ examId, participantId: b.id, userId: b.userId });
    expect((await teacher.delete(`/api/exams/${examId}/participants/${a.id}`)).status).toBe(204);
    const refused = await teacher.delete(`/api/exams/${examId}/participants/${b.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/already started/);
    expect((await teacher.delete(`/api/exams/${examId}/participants/${a.id}`)).status).toBe(404);
    const log = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, a.id));
    expect(log.map((l) => l.action)).toEqual(['participant.added', 'participant.removed']);
  });
});

describe('user search', () => {
  it('finds accounts by email prefix with only public fields, at most 20, wildcards literal', async () => {
    const tag = `zq${uniq().replace(/[^a-z0-9]/g, '')}`;
    for (let i = 0; i < 22; i++) {
      await t.system.db
        .insert(users)
        .values({ email: `${tag}-${String(i).padStart(2, '0')}@x.example`, name: `S ${i}` });
    }
    await t.system.db.insert(users).values({ email: `${tag}_odd@x.example`, name: 'Underscore' });
    const res = await teacher.get(`/api/users/search?prefix=${tag.toUpperCase()}-0`);
    expect(res.status).toBe(200);
    expect(res.body.users).toHaveLength(10);
    expect(Object.keys(res.body.users[0]).sort()).toEqual(['email', 'id', 'name', 'role']);
    expect((await teacher.get(`/api/users/search?prefix=${tag}`)).body.users).toHaveLength(20);
    const underscore = await teacher.get(`/api/users/search?prefix=${tag}_`);
    expect(underscore.body.users.map((u: { name: string }) => u.name)).toEqual(['Underscore']);
    expect((await teacher.get(`/api/users/search?prefix=${encodeURIComponent(tag + '%')}`)).body.users).toEqual([]);
    const short = await teacher.get('/api/users/search?prefix=a');
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/at least 2 characters/);
  });
});
