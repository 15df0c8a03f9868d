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
import { waitFor } from '../support/certificates.ts';

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

    // The joined row comes coalesced with the exam's other joins (one message a second).
    const row = nextEvent(ps, 'hall:rows');
    await call(ss, 'attempt:join', { attemptId, deviceId: 'laptop-mp-0001' });
    expect(await row).toEqual([expect.objectContaining({ attemptId, connections: 1 })]);
    const alert = nextEvent(ps, 'hall:alert');
    await call(ss, 'proctor:signal', { attemptId, type: 'tab_hidden', clientEventId: 'mp-event-0001' });
    expect((await alert).event).toMatchObject({ attemptId, type: 'tab_hidden' });

    // And back: the proctor on B extends; the student on A sees the clock move.
    const clock = nextEvent(ss, 'attempt:clock');
    await call(ps, 'hall:action', { action: 'extend', attemptId, minutes: 3 });
    expect(await clock).toMatchObject({ reason: 'extended', extraSeconds: 180 });
  }, 90_000); // two process starts on a busy machine

  it('ends an attempt whose deadline passed while the server was down exactly once, with sweepers racing', async () => {
    const first = await start('all');
    const teacher = await account('teacher', first.url);
    const exam = await publishedExam(asSystem(first.url), teacher);
    const { attemptId } = await startedAttempt(asSystem(first.url), teacher, exam.id);
    await first.stop('SIGKILL'); // a crash, not a clean shutdown

    // While it is down, the deadline passes (its own expiry job is still 30 minutes away).
    await db.db
      .update(attempts)
      .set({ deadlineAt: sql`now() - interval '1 minute'` })
      .where(eq(attempts.id, attemptId));
    // An expiry job ready to run, and two processes whose workers each sweep as they start:
    // three contenders that all see the attempt due.
    const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:63799', { maxRetriesPerRequest: null });
    const queue = new Queue('attempts', { connection, prefix: `${prefix}:bull` });
    try {
      const restartedAt = Date.now();
      await queue.add('attempt.expire', { attemptId }, { jobId: `race-${attemptId}` });
      await Promise.all([start('all'), start('all')]);

      // Settled: the attempt is graded, the racing job finished, and sweeps ran (each process sweeps as it starts).
      await waitFor('the attempt to end and be graded', async () => {
        const [row] = await db.db.select().from(attempts).where(eq(attempts.id, attemptId));
        return row!.gradedAt !== null;
      });
      const race = await waitFor('the racing expiry job', async () => {
        const job = await queue.getJob(`race-${attemptId}`);
        return job && (await job.isCompleted()) ? job : null;
      });
      const sweeps = await waitFor('at least two sweeps since the restart', async () => {
        const done = (await queue.getJobs(['completed'])).filter(
          (j) => j?.name === 'attempts.sweep' && (j.finishedOn ?? 0) >= restartedAt,
        );
        return done.length >= 2 ? done : null;
      });
      // Exactly one contender ended it; the others found it ended already.
      const wins = Number(race.returnvalue.expired) + sweeps.reduce((n, j) => n + (j.returnvalue.expired as number), 0);
      console.log(
        `[expiry race] ${sweeps.length + 1} contenders (1 expiry job, ${sweeps.length} sweeps), ${wins} ended it`,
      );
      expect(wins).toBe(1);
      const ends = await db.db.select().from(auditLogs).where(eq(auditLogs.targetId, attemptId));
      expect(ends.filter((e) => e.action === 'attempt.expired')).toHaveLength(1);
      const [row] = await db.db.select().from(attempts).where(eq(attempts.id, attemptId));
      expect(row).toMatchObject({ status: 'expired', endedReason: 'time_up' });
      expect(row!.submittedAt).not.toBeNull();
      // Graded once: the grading job was queued once (a second enqueue would be a second `added`).
      const events = await connection.xrange(`${prefix}:bull:grading:events`, '-', '+');
      const added = events.filter(([, f]) => {
        const fields = Object.fromEntries(f.flatMap((v, i, all) => (i % 2 ? [] : [[v, all[i + 1]]])));
        return fields.event === 'added' && fields.jobId === `grade-${attemptId}`;
      });
      expect(added).toHaveLength(1);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }, 90_000); // three process starts on a busy machine
});
