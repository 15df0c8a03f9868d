import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createDb } from '../../src/db/client.ts';
import { attempts, auditLogs } from '../../src/db/schema/index.ts';
import { hashPassword } from '../../src/modules/auth/auth.passwords.ts';
import { insertUser } from '../../src/modules/auth/auth.repository.ts';
import { createTestDatabase } from '../support/test-db.ts';
import { startServerProcess, type ServerProcess } from '../support/processes.ts';
import { Client } from '../support/http-client.ts';
import { call, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';
import { assignProctor, publishedExam, startedAttempt } from '../support/fixtures.ts';
import type { TestSystem } from '../support/test-system.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: ReturnType<typeof createDb>;
const prefix = `m${randomBytes(4).toString('hex')}`;
const running: ServerProcess[] = [];
const sockets: TestSocket[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, 4);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await db?.pool.end();
  await database?.drop();
});

async function start(role: 'api' | 'all') {
  const p = await startServerProcess({ DATABASE_URL: database.url, REDIS_PREFIX: prefix, EXAM_HALL_ROLE: role });
  running.push(p);
  return p;
}

async function account(role: 'teacher' | 'proctor', url: string) {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const email = `${role}-${randomBytes(4).toString('hex')}@test.example`;
  const user = await insertUser(db.db, { email, name: role, role, passwordHash: await hashPassword(password) });
  const c = new Client(url);
  expect((await c.signIn(email, password)).status).toBe(200);
  return Object.assign(c, { user: { id: user.id, email, password } });
}

/** The fixtures take a TestSystem; over real processes only its db and url are needed. */
const asSystem = (url: string) => ({ url, system: { db: db.db } }) as unknown as TestSystem;

describe('several server processes', () => {
  it('a proctor on one process sees a student on another, live', async () => {
    const [a, b] = [await start('api'), await start('api')];
    const teacher = await account('teacher', a.url);
    const proctor = await account('proctor', b.url);
    const exam = await publishedExam(asSystem(a.url), teacher);
    await assignProctor(asSystem(a.url), teacher, exam.id, proctor.user.id);
    const { student, attemptId } = await startedAttempt(asSystem(a.url), teacher, exam.id);

    const ps = await openSocket(b.url, proctor);
    sockets.push(ps);
    await call(ps, 'hall:watch', { examId: exam.id });
    const studentOnA = new Client(a.url);
    for (const [k, v] of student.jar) studentOnA.jar.set(k, v);
    const ss = await openSocket(a.url, studentOnA);
    sockets.push(ss);

    const row = nextEvent(ps, 'hall:row');
    await call(ss, 'attempt:join', { attemptId, deviceId: 'laptop-mp-0001' });
    expect(await row).toMatchObject({ attemptId, connections: 1 });
    const alert = nextEvent(ps, 'hall:alert');
    await call(ss, 'proctor:signal', { attemptId, type: 'tab_hidden', clientEventId: 'mp-event-0001' });
    expect((await alert).event).toMatchObject({ attemptId, type: 'tab_hidden' });

    // And back: the proctor on B extends; the student on A sees the clock move.
    const clock = nextEvent(ss, 'attempt:clock');
    await call(ps, 'hall:action', { action: 'extend', attemptId, minutes: 3 });
    expect(await clock).toMatchObject({ reason: 'extended', extraSeconds: 180 });
  });

  it('submits an attempt whose deadline passed while the server was down exactly once after restart', async () => {
    const first = await start('all');
    const teacher = await account('teacher', first.url);
    const exam = await publishedExam(asSystem(first.url), teacher);
    const { attemptId } = await startedAttempt(asSystem(first.url), teacher, exam.id);
    await first.stop('SIGKILL'); // a crash, not a clean shutdown

    // While it is down, the deadline passes.
    await db.db
      .update(attempts)
      .set({ deadlineAt: sql`now() - interval '1 minute'` })
      .where(eq(attempts.id, attemptId));
    // Make the expiry job and the sweeper race for it on restart.
    const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:63799', { maxRetriesPerRequest: null });
    const queue = new Queue('attempts', { connection, prefix: `${prefix}:bull` });
    await queue.add('attempt.expire', { attemptId }, { jobId: `race-${attemptId}` });
    await queue.close();
    connection.disconnect();

    await start('all');
    const until = Date.now() + 20_000;
    let status = 'in_progress';
    while (Date.now() < until && status === 'in_progress') {
      await new Promise((r) => setTimeout(r, 200));
      [{ status }] = (await db.db
        .select({ status: attempts.status })
        .from(attempts)
        .where(eq(attempts.id, attemptId))) as [{ status: string }];
    }
    expect(status).toBe('expired');
    await new Promise((r) => setTimeout(r, 1500)); // let the slower of the two finish
    const ends = await db.db.select().from(auditLogs).where(eq(auditLogs.targetId, attemptId));
    expect(ends.filter((e) => e.action === 'attempt.expired')).toHaveLength(1);
    const [row] = await db.db.select().from(attempts).where(eq(attempts.id, attemptId));
    expect(row!.submittedAt).not.toBeNull();
    expect(row!.endedReason).toBe('time_up');
  });
});
