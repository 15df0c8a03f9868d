// Dependency outages degrade, never crash. Each test runs real server processes on a
// Redis or PostgreSQL of its own (server/test/support/own-services.ts), stops that
// dependency while simulated students save answers over real sockets, and checks that
// the process stays up, no acknowledged save is lost, and everything recovers.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { inArray, sql } from 'drizzle-orm';
import { RESYNC_CLOCK_REASON, type AckReply, type Clock, type HallRow } from '@exam-hall/protocol';
import { createDb } from '../../src/db/client.ts';
import { answers } from '../../src/db/schema/index.ts';
import { hashPassword } from '../../src/modules/auth/auth.passwords.ts';
import { insertUser } from '../../src/modules/auth/auth.repository.ts';
import { createTestDatabase } from '../support/test-db.ts';
import { enterSignedInAndBegin } from '../support/attempts.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { startOwnPostgres, startOwnRedis, stopOwnServices } from '../support/own-services.ts';
import { Client } from '../support/http-client.ts';
import { call, openSocket, type TestSocket } from '../support/sockets.ts';
import { assignProctor, publishedExam, startedAttempt } from '../support/fixtures.ts';
import type { TestSystem } from '../support/test-system.ts';

const STUDENTS = 30;
const SAVE_EVERY_MS = 200;

// Undone in reverse order after each test, whatever happened in it.
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const undo of cleanups.splice(0).reverse()) await Promise.resolve(undo()).catch(() => {});
  await stopOwnServices();
});

type Db = ReturnType<typeof createDb>['db'];
const prefix = () => `dep${randomBytes(4).toString('hex')}`;

async function server(env: Record<string, string>): Promise<ServerProcess> {
  const p = await startServerProcess(env);
  cleanups.push(() => p.stop('SIGKILL'));
  return p;
}

function pool(url: string) {
  const d = createDb(url, 4);
  cleanups.push(() => d.pool.end());
  return d.db;
}

async function socket(url: string, client: Client): Promise<TestSocket> {
  const s = await openSocket(url, client);
  cleanups.push(() => s.close());
  return s;
}

async function account(db: Db, url: string, role: 'admin' | 'teacher' | 'proctor' | 'student') {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const email = `${role}-${randomBytes(4).toString('hex')}@test.example`;
  const user = await insertUser(db, { email, name: role, role, passwordHash: await hashPassword(password) });
  const c = new Client(url);
  expect((await c.signIn(email, password)).status).toBe(200);
  return Object.assign(c, { user: { ...user, email, password } });
}

/** The fixtures take a TestSystem; over real processes only its db and url are needed. */
const asSystem = (url: string, db: Db) => ({ url, system: { db } }) as unknown as TestSystem;

interface Student {
  client: Client;
  socket: TestSocket;
  attemptId: string;
  questions: string[];
}

/** An exam with `STUDENTS` started attempts, each student joined over a socket to `studentUrl`. */
async function hall(db: Db, teacher: Client, studentUrl: string, settings: Record<string, unknown> = {}) {
  const t = asSystem(teacher.baseUrl, db);
  const exam = await publishedExam(t, teacher, settings);
  const started = [];
  for (let i = 0; i < STUDENTS; i += 10) {
    const batch = Array.from({ length: Math.min(10, STUDENTS - i) }, () => startedAttempt(t, teacher, exam.id));
    started.push(...(await Promise.all(batch)));
  }
  const students: Student[] = await Promise.all(
    started.map(async ({ student, attemptId }, i) => {
      const s = await socket(studentUrl, student);
      const snapshot = await call(s, 'attempt:join', {
        attemptId,
        deviceId: `dep-device-${String(i).padStart(4, '0')}`,
      });
      const questions = (snapshot.questions as { id: string; type: string }[])
        .filter((q) => q.type === 'single_choice')
        .map((q) => q.id);
      return { client: student, socket: s, attemptId, questions };
    }),
  );
  return { exam, students };
}

interface Sent {
  attemptId: string;
  questionId: string;
  seq: number;
  optionId: string;
  sentAt: number;
  ackAt: number;
  /** 'ok', the error ack's code, or 'timeout' when no ack came. */
  result: string;
}

/**
 * Every student saves one answer after another (the next once the last was answered, as
 * the page's outbox does per question), each with the attempt's next sequence number.
 */
function saving(students: Student[]) {
  const log: Sent[] = [];
  let running = true;
  const loops = students.map(async (st, i) => {
    await new Promise((r) => setTimeout(r, (i * SAVE_EVERY_MS) / students.length));
    for (let seq = 1; running; seq++) {
      const questionId = st.questions[seq % st.questions.length]!;
      const optionId = ['a', 'b', 'c'][seq % 3]!;
      const sentAt = Date.now();
      let result: string;
      try {
        const reply: AckReply<unknown> | undefined = await st.socket.timeout(10_000).emitWithAck('answer:save', {
          attemptId: st.attemptId,
          seq,
          questionId,
          response: { optionId },
          flagged: false,
        });
        result = reply?.ok ? 'ok' : (reply?.error.code ?? 'no reply');
      } catch {
        result = 'timeout';
      }
      log.push({ attemptId: st.attemptId, questionId, seq, optionId, sentAt, ackAt: Date.now(), result });
      await new Promise((r) => setTimeout(r, SAVE_EVERY_MS));
    }
  });
  return {
    log,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * Every acknowledged save is in PostgreSQL (or a later save of the same question is),
 * and what PostgreSQL holds is a save that was sent: no false acks, nothing lost.
 */
async function expectNoAckedSaveLost(db: Db, log: Sent[]) {
  const ids = [...new Set(log.map((s) => s.attemptId))];
  const rows = await db.select().from(answers).where(inArray(answers.attemptId, ids));
  const stored = new Map(rows.map((r) => [`${r.attemptId}/${r.questionId}`, r]));
  const sent = new Map(log.map((s) => [`${s.attemptId}/${s.seq}`, s]));
  const lost = log.filter(
    (s) => s.result === 'ok' && !((stored.get(`${s.attemptId}/${s.questionId}`)?.seq ?? 0) >= s.seq),
  );
  expect(lost, 'acknowledged saves missing from PostgreSQL').toEqual([]);
  for (const r of rows) {
    const s = sent.get(`${r.attemptId}/${r.seq}`);
    expect(s, `stored seq ${r.seq} was never sent`).toBeDefined();
    expect({ questionId: r.questionId, response: r.response }).toEqual({
      questionId: s!.questionId,
      response: { optionId: s!.optionId },
    });
  }
}

/** Polls `check` until it answers something truthy; fails after `ms`. */
async function until<T>(what: string, check: () => Promise<T> | T, ms = 15_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const health = async (url: string) => {
  const res = await fetch(`${url}/healthz`);
  return {
    status: res.status,
    body: (await res.json()) as Record<string, string>,
    retryAfter: res.headers.get('retry-after'),
  };
};

/** Still running, and nothing went unhandled (the process policy would log it and keep going). */
function expectAliveAndClean(...ps: ServerProcess[]) {
  for (const p of ps) {
    expect(p.child.exitCode ?? p.child.signalCode, p.output()).toBeNull();
    expect(p.output()).not.toContain('unhandled promise rejection');
    expect(p.output()).not.toContain('uncaught exception');
  }
}

describe('dependency outages', () => {
  it('Redis stopped for some seconds: saves keep being acknowledged, pushes resume after it returns', async () => {
    const redis = await startOwnRedis();
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const db = pool(database.url);
    const env = { DATABASE_URL: database.url, REDIS_URL: redis.url, REDIS_PREFIX: prefix() };
    // Students on A (API and workers); the proctor on B, so pushes to the proctor cross Redis.
    const [a, b] = await Promise.all([server(env), server({ ...env, EXAM_HALL_ROLE: 'api' })]);
    const teacher = await account(db, a.url, 'teacher');
    const proctor = await account(db, b.url, 'proctor');
    // Credit for time lost while disconnected: a rejoin then moves the deadline and re-arms its expiry job.
    const settings = { disconnectPolicy: 'credit', disconnectCreditMaxMinutes: 10 };
    const { exam, students } = await hall(db, teacher, a.url, settings);
    // During the outage one student drops off and comes back, another opens a second
    // device; the others keep saving.
    const [rejoiner, twoDevices, ...savers] = students as [Student, Student, ...Student[]];
    await assignProctor(asSystem(a.url, db), teacher, exam.id, proctor.user.id);
    // A signed-in student, invited, who starts the exam only once Redis is down.
    const late = await account(db, a.url, 'student');
    // An administrator, and an account they suspend while Redis is down.
    const admin = await account(db, a.url, 'admin');
    const leaving = await account(db, a.url, 'student');
    expect((await teacher.post(`/api/exams/${exam.id}/participants`, { email: late.user.email })).status).toBe(201);
    const ps = await socket(b.url, proctor);
    const rowsAt: number[] = [];
    ps.on('hall:rows', (rows: HallRow[]) => rows.length && rowsAt.push(Date.now()));
    // Saves move the answered counts with compact progress deltas.
    ps.on('hall:progress', (items: unknown[]) => items.length && rowsAt.push(Date.now()));
    await call(ps, 'hall:watch', { examId: exam.id });

    const saves = saving(savers);
    cleanups.push(() => saves.stop());
    await until('progress pushed to the proctor on the other process', () => rowsAt.length > 0);
    expect(await health(a.url)).toMatchObject({ status: 200, body: { status: 'ok', database: 'ok', redis: 'ok' } });

    const stoppedAt = Date.now();
    await redis.stop();
    const degraded = await until('/healthz to report Redis down', async () => {
      const h = await health(a.url);
      return h.body.redis === 'down' && h;
    });
    expect(degraded).toMatchObject({ status: 200, body: { status: 'degraded', database: 'ok', redis: 'down' } });

    // Signing in needs the shared throttle in Redis: a clear, retryable 503, not a 500.
    const signIn = await new Client(a.url).signIn(teacher.user.email, teacher.user.password);
    expect(signIn.status).toBe(503);
    expect(signIn.body.error.code).toBe('unavailable');
    expect(Number(signIn.headers.get('retry-after'))).toBeGreaterThan(0);

    // A reset request needs its limits in Redis too: the same retryable 503, nothing sent.
    const forgot = await new Client(a.url).post('/api/account/password-reset/request', { email: teacher.user.email });
    expect(forgot.status, JSON.stringify(forgot.body)).toBe(503);
    expect(forgot.body.error.code).toBe('unavailable');
    // A suspension is committed in PostgreSQL; closing sockets over Redis is best effort.
    const suspended = await admin.post(`/api/admin/users/${leaving.user.id}/suspend`, {});
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(200);
    expect((await leaving.get('/api/auth/me')).status).toBe(401);

    // Starting (entering, then beginning) commits the attempt in PostgreSQL; its expiry job waits for Redis (the sweep backs it up).
    const startAt = Date.now();
    const start = await enterSignedInAndBegin(late, exam.id);
    const startMs = Date.now() - startAt;
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const lateSocket = await socket(a.url, late);
    const lateSnapshot = await call(lateSocket, 'attempt:join', {
      attemptId: start.body.attempt.id,
      deviceId: 'dep-late-0001',
    });
    expect(
      await call(lateSocket, 'answer:save', {
        attemptId: start.body.attempt.id,
        seq: 1,
        questionId: lateSnapshot.questions[0].id,
        response: null,
      }),
    ).toMatchObject({ applied: true });

    // A student whose connection drops now gets back in, is credited, saves and submits.
    rejoiner.socket.close();
    await until('the dropped connection closed for a second', async () => {
      const r = await db.execute(
        sql`select 1 from presence where attempt_id = ${rejoiner.attemptId} and left_at < now() - interval '1 second'`,
      );
      return r.rows.length > 0;
    });
    const again = await socket(a.url, rejoiner.client);
    const rejoinAt = Date.now();
    const snapshot = await call(again, 'attempt:join', { attemptId: rejoiner.attemptId, deviceId: 'dep-device-0000' });
    const rejoinMs = Date.now() - rejoinAt;
    expect(snapshot.clock.reason).toBe('disconnect_credit');
    const q = rejoiner.questions[0]!;
    expect(
      await call(again, 'answer:save', {
        attemptId: rejoiner.attemptId,
        seq: 1,
        questionId: q,
        response: { optionId: 'c' },
      }),
    ).toMatchObject({ seq: 1, applied: true });
    expect(await call(again, 'attempt:submit', { attemptId: rejoiner.attemptId })).toMatchObject({
      status: 'submitted',
    });
    // Which other devices are live is asked across the cluster through Redis; without it, this process still knows.
    const second = await socket(a.url, twoDevices.client);
    await call(second, 'attempt:join', { attemptId: twoDevices.attemptId, deviceId: 'dep-second-device' });
    const alerts = await db.execute(
      sql`select 1 from proctoring_events where attempt_id = ${twoDevices.attemptId} and type = 'second_device'`,
    );
    expect(alerts.rows).toHaveLength(1);
    // The proctor on B extends a student on A: the push would cross Redis, which is down, and
    // the student's socket stays up. Once A's Redis connection is back, A reads the clocks of
    // its students again and sends them (reason 'resync'), this extension included.
    const offline = savers[1]!;
    const resyncs: Clock[] = [];
    offline.socket.on('attempt:clock', (c: Clock) => c.reason === RESYNC_CLOCK_REASON && resyncs.push(c));
    await call(ps, 'hall:action', { action: 'extend', attemptId: offline.attemptId, minutes: 7 });
    const deadline = await db.execute<{ deadline_at: Date; extra_seconds: number }>(
      sql`select deadline_at, extra_seconds from attempts where id = ${offline.attemptId}`,
    );
    expect(deadline.rows[0]!.extra_seconds).toBe(420);
    const extendedDeadline = new Date(deadline.rows[0]!.deadline_at).getTime();
    // The outage lasts at least 5 s while the students keep saving.
    await new Promise((r) => setTimeout(r, 5000 - (Date.now() - stoppedAt)));
    const startedAt = Date.now();
    // Rows pushed from A to the proctor on B during the outage were lost: once B's Redis
    // connection is back, B sends its proctor the hall's whole roster again (no other push
    // carries every row at once).
    const rosterPushes: number[] = [];
    ps.on('hall:rows', (rows: HallRow[]) => rosterPushes.push(rows.length));
    await redis.start();

    const duringOutage = saves.log.filter((s) => s.sentAt >= stoppedAt && s.ackAt <= startedAt);
    expect(duringOutage.filter((s) => s.result === 'ok').length).toBeGreaterThan(STUDENTS);
    const rowsRecovered = await until('progress pushed across processes again', () =>
      rowsAt.find((t) => t > startedAt),
    );
    // An extension from the proctor on B reaches the student on A, once both processes see
    // Redis back (under load B may reconnect seconds after A, whose rows arrived above).
    await until('both processes to report Redis back', async () =>
      (await Promise.all([health(a.url), health(b.url)])).every((h) => h.body.status === 'ok'),
    );
    const extended = savers[0]!;
    const clocks: number[] = [];
    extended.socket.on('attempt:clock', (c: Clock) => c.reason === 'extended' && clocks.push(Date.now()));
    const extendAt = Date.now();
    // A push published while B's adapter is still reconnecting can be lost (pushes are best
    // effort), and under the whole suite's load B has reconnected 30 s late: the proctor extends
    // again after 15 s, up to three times, and one of the clocks must arrive.
    for (let tries = 0; clocks.length === 0 && tries < 3; tries++) {
      await call(ps, 'hall:action', { action: 'extend', attemptId: extended.attemptId, minutes: 5 });
      for (const until15s = Date.now() + 15_000; clocks.length === 0 && Date.now() < until15s;)
        await new Promise((r) => setTimeout(r, 100));
    }
    if (!clocks.length) {
      const state = extended.socket.connected ? 'connected' : 'disconnected';
      throw new Error(`no attempt:clock after three extensions 15 s apart (student socket ${state})`);
    }
    const extendedAt = clocks[0]!;
    const resynced = await until('the extension made during the outage sent again', () =>
      resyncs.find((c) => Date.parse(c.deadlineAt!) === extendedDeadline && c.extraSeconds === 420),
    );
    expect(resynced).toMatchObject({ attemptId: offline.attemptId, status: 'in_progress' });
    const roster = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from attempts where exam_id = ${exam.id}`,
    );
    expect(roster.rows[0]!.n).toBeGreaterThan(STUDENTS);
    await until('the whole roster sent again to the proctor on B', () => rosterPushes.includes(roster.rows[0]!.n));
    await until('/healthz to report Redis back', async () => (await health(a.url)).body.status === 'ok');
    // The submission made during the outage is graded once Redis is back.
    await until('the submission made during the outage graded', async () => {
      const r = await db.execute(sql`select graded_at from attempts where id = ${rejoiner.attemptId}`);
      return r.rows[0]?.graded_at != null;
    });
    await saves.stop();

    expectAliveAndClean(a, b);
    // The outage's 503s are logged as warnings that say so, without a made-up error and stack.
    expect(a.output()).toContain('request refused: a dependency is unavailable (503, Retry-After sent)');
    expect(a.output()).not.toContain('failed with status code 503');
    const notOk = saves.log.filter((s) => s.result !== 'ok');
    expect(notOk, 'every save is acknowledged, outage or not').toEqual([]);
    await expectNoAckedSaveLost(db, saves.log);
    const outageLatency = duringOutage.map((s) => s.ackAt - s.sentAt).sort((x, y) => x - y);
    console.log(
      `[dependencies] Redis down ${startedAt - stoppedAt} ms: ${saves.log.length} saves, all acknowledged; ${duringOutage.length} during the outage ` +
        `(ack p50 ${outageLatency[Math.floor(outageLatency.length / 2)]} ms, max ${outageLatency.at(-1)} ms); ` +
        `a signed-in student started in ${startMs} ms; a dropped student rejoined (credited) in ${rejoinMs} ms and saved and submitted; ` +
        `cross-process progress pushes back ${rowsRecovered - startedAt} ms after Redis restarted; ` +
        `extension reached the student in ${extendedAt - extendAt} ms`,
    );
    // Saves never stopped (above); pushes wait for the reconnect (ioredis backs off up to 2 s)
    // and the next progress batch (1 s): 2-3 s measured, bounded here with room for a loaded machine.
    expect(rowsRecovered - startedAt).toBeLessThan(10_000);
  }, 180_000);

  it('PostgreSQL restarted: saves meanwhile get `unavailable`, then are acknowledged again within 5 s', async () => {
    const pg = await startOwnPostgres();
    // Migrations run at the server's start, on the empty cluster.
    const a = await server({ DATABASE_URL: pg.url, REDIS_URL: process.env.REDIS_URL!, REDIS_PREFIX: prefix() });
    const db = pool(pg.url);
    const teacher = await account(db, a.url, 'teacher');
    const { students } = await hall(db, teacher, a.url);

    const saves = saving(students);
    cleanups.push(() => saves.stop());
    await until('saves acknowledged', () => saves.log.filter((s) => s.result === 'ok').length >= STUDENTS);

    const stoppedAt = Date.now();
    await pg.stop('fast');
    await until('an `unavailable` ack', () =>
      saves.log.some((s) => s.sentAt >= stoppedAt && s.result === 'unavailable'),
    );
    const exams = await teacher.get('/api/exams');
    expect(exams.status).toBe(503);
    expect(exams.body.error.code).toBe('unavailable');
    expect(Number(exams.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await health(a.url)).toMatchObject({
      status: 503,
      body: { status: 'unavailable', database: 'down' },
      retryAfter: expect.stringMatching(/^\d+$/),
    });
    // Down for about 3 s, then back.
    await new Promise((r) => setTimeout(r, 3000 - (Date.now() - stoppedAt)));
    await pg.start();
    const upAt = Date.now();

    const firstOk = await until('a save sent after the restart acknowledged', () =>
      saves.log.find((s) => s.sentAt >= upAt && s.result === 'ok'),
    );
    await until('HTTP answers again', async () => (await teacher.get('/api/exams')).status === 200);
    await saves.stop();

    expectAliveAndClean(a);
    const results = new Set(saves.log.map((s) => s.result));
    expect([...results].sort()).toEqual(['ok', 'unavailable']);
    await expectNoAckedSaveLost(db, saves.log);
    const unavailable = saves.log.filter((s) => s.result === 'unavailable').length;
    console.log(
      `[dependencies] PostgreSQL down ${upAt - stoppedAt} ms: ${saves.log.length} saves, ${unavailable} answered unavailable, none internal; ` +
        `saves acknowledged again ${firstOk.ackAt - upAt} ms after PostgreSQL accepted connections`,
    );
    expect(firstOk.ackAt - upAt).toBeLessThan(5000);
  }, 120_000);
});
