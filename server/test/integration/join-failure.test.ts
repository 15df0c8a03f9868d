// The join opens the socket's presence segment in the same statement that reads the attempt's
// state (attempts.live.repository.ts joinStates). A join that fails after that statement must
// not leave the segment open: no socket would ever close it, and an open segment counts as a
// connection (the hall shows the student online, the next join credits no downtime).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ATTEMPT_COOKIE } from '@exam-hall/protocol';
import { presence } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import type { Client } from '../support/http-client.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, openSocket, type TestSocket } from '../support/sockets.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

/** The student's principal as a socket carrying their attempt cookie sees it. */
const principalOf = (student: Client) => ({
  actor: null,
  attemptCookie: decodeURIComponent(student.jar.get(ATTEMPT_COOKIE) ?? ''),
});

const segmentsOf = (connectionId: string) =>
  t.system.db.select({ leftAt: presence.leftAt }).from(presence).where(eq(presence.connectionId, connectionId));

describe('a join that fails after its presence segment opened', () => {
  it('closes the segment it opened and rejects', async () => {
    const exam = await publishedExam(t, teacher);
    const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
    // Another device is open, so the join asks the cluster which sockets are alive.
    const first = await openSocket(t.url, student);
    sockets.push(first);
    await call(first, 'attempt:join', { attemptId, deviceId: 'device-fail-a' });

    const connectionId = `failing-${Math.random().toString(36).slice(2)}`;
    await expect(
      t.system.services.attemptLive.join(
        principalOf(student),
        { attemptId, deviceId: 'device-fail-b' },
        { socketId: connectionId, ip: '127.0.0.1' },
        async () => {},
        () => Promise.reject(new Error('Redis is away')),
      ),
    ).rejects.toThrow('Redis is away');

    const rows = await segmentsOf(connectionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.leftAt).toBeInstanceOf(Date);
    // The first device's segment is untouched.
    const [open] = await segmentsOf(first.id!);
    expect(open?.leftAt).toBeNull();
  });

  it('opens a segment for a live attempt and none for a finished one', async () => {
    const exam = await publishedExam(t, teacher);
    const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
    const join = (connectionId: string) =>
      t.system.services.attemptLive.join(
        principalOf(student),
        { attemptId, deviceId: 'device-fail-c' },
        { socketId: connectionId, ip: '127.0.0.1' },
      );
    const live = `live-${Math.random().toString(36).slice(2)}`;
    const { snapshot, joined } = await join(live);
    expect(snapshot.attempt.status).toBe('in_progress');
    expect(await segmentsOf(live)).toEqual([{ leftAt: null }]);

    await t.system.services.attemptLive.submit(joined, { ip: '127.0.0.1' });
    const done = `done-${Math.random().toString(36).slice(2)}`;
    expect((await join(done)).snapshot.attempt.status).toBe('submitted');
    expect(await segmentsOf(done)).toEqual([]);
  });

  it('still answers 404 for an attempt that is not the caller’s, and opens nothing', async () => {
    const exam = await publishedExam(t, teacher);
    const mine = await startedAttempt(t, teacher, exam.id);
    const theirs = await startedAttempt(t, teacher, exam.id);
    const connectionId = `other-${Math.random().toString(36).slice(2)}`;
    await expect(
      t.system.services.attemptLive.join(
        principalOf(mine.student),
        { attemptId: theirs.attemptId, deviceId: 'device-fail-d' },
        { socketId: connectionId, ip: '127.0.0.1' },
      ),
    ).rejects.toMatchObject({ status: 404 });
    expect(await segmentsOf(connectionId)).toEqual([]);
  });
});
