// Proctor tools for one student: a private note (never the student's to see), taking time
// away within bounds, and the pause reason kept on the attempt so a reload still shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { attemptNotes, attempts, auditLogs } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import type { Client } from '../support/http-client.ts';
import { assignProctor, publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo.seed.ts';
import { CERTIFICATE_DEMO_TITLE, seedDemoCertificate } from '../../src/demo/demo-certificate.seed.ts';
import { DEMO_NOTE, seedDemoNote } from '../../src/demo/demo-services.ts';

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

async function socketFor(c: Client) {
  const s = await openSocket(t.url, c);
  sockets.push(s);
  return s;
}

/** A 30-minute exam with one joined student, watched by its teacher. */
async function oneStudent() {
  const exam = await publishedExam(t, teacher);
  const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
  const studentSocket = await socketFor(student);
  const snap = await call(studentSocket, 'attempt:join', { attemptId, deviceId: 'device-notes-0001' });
  const proctor = await socketFor(teacher);
  await call(proctor, 'hall:watch', { examId: exam.id });
  return { examId: exam.id as string, attemptId, student, studentSocket, proctor, snap };
}

const auditOf = (action: string, attemptId: string) =>
  t.system.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.action, action), eq(auditLogs.targetId, attemptId)));
const rowOf = async (attemptId: string) =>
  (await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId)))[0]!;

describe('the private note about a student', () => {
  it('is read and written by the teacher and the exam’s proctor, audited without its text', async () => {
    const { examId, attemptId, proctor } = await oneStudent();
    expect(await call(proctor, 'hall:note', { attemptId })).toEqual({ note: null });

    const text = '  Looked at the neighbour’s screen twice.\nMoved to row 3.  ';
    const saved = await call(proctor, 'hall:note-save', { attemptId, body: text, baseUpdatedAt: null });
    expect(saved.note).toMatchObject({
      attemptId,
      body: 'Looked at the neighbour’s screen twice.\nMoved to row 3.',
      updatedBy: { id: teacher.user.id, name: expect.any(String) },
    });

    // The exam's proctor sees it and adds to it, from the version they read.
    const assigned = await signedIn(t, 'proctor');
    await assignProctor(t, teacher, examId, assigned.user.id);
    const theirs = await socketFor(assigned);
    const read = await call(theirs, 'hall:note', { attemptId });
    expect(read).toEqual(saved);
    const added = await call(theirs, 'hall:note-save', {
      attemptId,
      body: `${read.note.body}\nCalm since.`,
      baseUpdatedAt: read.note.updatedAt,
    });
    expect(added.note).toMatchObject({ body: `${read.note.body}\nCalm since.`, updatedBy: { id: assigned.user.id } });

    // The teacher's edit started from the older version: refused, the proctor's stays.
    await expect(
      call(proctor, 'hall:note-save', { attemptId, body: 'Overwrite', baseUpdatedAt: saved.note.updatedAt }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/changed this note at .* Nothing was saved/),
    });
    expect((await call(proctor, 'hall:note', { attemptId })).note.body).toBe(added.note.body);

    const log = await auditOf('hall.note_saved', attemptId);
    expect(log.map((l) => l.details)).toEqual([
      { examId, length: saved.note.body.length, created: true },
      { examId, length: added.note.body.length, created: false },
    ]);
    expect(JSON.stringify(log)).not.toContain('neighbour');

    // An empty note deletes it, audited too.
    expect(await call(proctor, 'hall:note-save', { attemptId, body: '   ' })).toEqual({ note: null });
    expect(await t.system.db.select().from(attemptNotes).where(eq(attemptNotes.attemptId, attemptId))).toEqual([]);
    expect((await auditOf('hall.note_deleted', attemptId)).map((l) => l.details)).toEqual([{ examId }]);
  });

  it('is refused to the student, an unassigned proctor and another teacher; bad notes change nothing', async () => {
    const { attemptId, student, studentSocket, proctor } = await oneStudent();
    await call(proctor, 'hall:note-save', { attemptId, body: 'Secret remark' });

    const studentSignedIn = await signedIn(t, 'student');
    const outsiders = [
      { who: 'the student (attempt cookie)', socket: await socketFor(student), code: 'unauthenticated' },
      { who: 'the student’s joined socket', socket: studentSocket, code: 'unauthenticated' },
      { who: 'another student', socket: await socketFor(studentSignedIn), code: 'forbidden' },
      { who: 'an unassigned proctor', socket: await socketFor(await signedIn(t, 'proctor')), code: 'not_found' },
      { who: 'another teacher', socket: await socketFor(await signedIn(t, 'teacher')), code: 'not_found' },
    ];
    for (const o of outsiders) {
      for (const [event, payload] of [
        ['hall:note', { attemptId }],
        ['hall:note-save', { attemptId, body: 'Mine now' }],
      ] as const) {
        const err = await call(o.socket, event, payload).catch((e: { code: string }) => e);
        expect([o.who, event, (err as { code?: string }).code]).toEqual([o.who, event, o.code]);
      }
    }

    for (const [body, field] of [
      ['x'.repeat(2001), /body: A note is at most 2000 characters/],
      ['a\u0000b', /body: must not contain NUL/],
    ] as const) {
      await expect(call(proctor, 'hall:note-save', { attemptId, body })).rejects.toThrow(field);
    }
    await expect(call(proctor, 'hall:note-save', { attemptId, body: 'x', baseUpdatedAt: 'yesterday' })).rejects.toThrow(
      /validation_failed.*baseUpdatedAt/,
    );
    expect((await call(proctor, 'hall:note', { attemptId })).note.body).toBe('Secret remark');

    // Nothing the student's page receives carries the note.
    const again = await call(studentSocket, 'attempt:join', { attemptId, deviceId: 'device-notes-0001' });
    const http = await student.get(`/api/attempts/${attemptId}`);
    expect(http.status).toBe(200);
    for (const payload of [again, http.body]) expect(JSON.stringify(payload)).not.toContain('Secret remark');
  });
});

describe('taking time away', () => {
  it('moves the deadline back, tells the student how much, and is audited as negative minutes', async () => {
    const { attemptId, studentSocket, proctor, snap } = await oneStudent();
    const heard = nextEvent(studentSocket, 'attempt:clock');
    const { row } = await call(proctor, 'hall:action', { action: 'extend', attemptId, minutes: -5 });
    const clock = await heard;
    expect(clock).toMatchObject({ reason: 'extended', deltaSeconds: -300, extraSeconds: -300 });
    expect(Date.parse(clock.deadlineAt)).toBe(Date.parse(snap.clock.deadlineAt) - 300_000);
    expect(row.deadlineAt).toBe(clock.deadlineAt);
    expect((await rowOf(attemptId)).extraSeconds).toBe(-300);
    expect((await auditOf('hall.extend', attemptId)).map((l) => l.details)).toEqual([{ minutes: -5 }]);
  });

  it('never below one minute left: refused with how much may be taken, nothing changed', async () => {
    const { attemptId, proctor } = await oneStudent();
    const before = await rowOf(attemptId);
    // 30 minutes left (give or take a second): 30 would leave nothing, 29 leaves about a minute.
    await expect(call(proctor, 'hall:action', { action: 'extend', attemptId, minutes: -30 })).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(
        /^validation_failed: Taking 30 minutes would leave less than 1 minute \(29 min \d+ s left now\), and at least 1 minute must remain: take at most 28 minutes\.$/,
      ),
    });
    await expect(call(proctor, 'hall:action', { action: 'extend', attemptId, minutes: 0 })).rejects.toThrow(
      /validation_failed.*minutes: Enter a number of minutes other than 0/,
    );
    await expect(call(proctor, 'hall:action', { action: 'extend', attemptId, minutes: -601 })).rejects.toThrow(
      /At most 600 minutes can be taken/,
    );
    const after = await rowOf(attemptId);
    expect([after.deadlineAt, after.extraSeconds]).toEqual([before.deadlineAt, before.extraSeconds]);
    expect(await auditOf('hall.extend', attemptId)).toEqual([]);

    // While paused the clock is stopped: what is left counts from the pause, not from now.
    // Paused an hour ago with 2.5 minutes left (a deadline long past by the wall clock).
    await call(proctor, 'hall:action', { action: 'pause', attemptId });
    const pausedAt = new Date(Date.now() - 60 * 60_000);
    await t.system.db
      .update(attempts)
      .set({ pausedAt, deadlineAt: new Date(pausedAt.getTime() + 150_000) })
      .where(eq(attempts.id, attemptId));
    const { row } = await call(proctor, 'hall:action', { action: 'extend', attemptId, minutes: -1 });
    expect(row.status).toBe('paused');
    expect((await rowOf(attemptId)).deadlineAt!.getTime()).toBe(pausedAt.getTime() + 90_000);
    await expect(call(proctor, 'hall:action', { action: 'extend', attemptId, minutes: -1 })).rejects.toThrow(
      /^validation_failed: Taking 1 minute would leave less than 1 minute \(1 min 30 s left now\), and at least 1 minute must remain: no time can be taken now\.$/,
    );
  });
});

describe('the pause reason', () => {
  it('is kept on the attempt while paused, so a page that reloads is told why; resuming clears it', async () => {
    const { examId, attemptId, student, proctor } = await oneStudent();
    await call(proctor, 'hall:action', { action: 'pause', attemptId, reason: 'Fire drill: stay seated' });
    expect((await rowOf(attemptId)).pauseReason).toBe('Fire drill: stay seated');

    // A reload: a new socket joins and gets the reason in its snapshot.
    const reloaded = await socketFor(student);
    const snap = await call(reloaded, 'attempt:join', { attemptId, deviceId: 'device-notes-0001' });
    expect(snap.clock).toMatchObject({ status: 'paused', pauseReason: 'Fire drill: stay seated' });

    await call(proctor, 'hall:action', { action: 'resume', attemptId });
    expect((await rowOf(attemptId)).pauseReason).toBeNull();
    const after = await call(await socketFor(student), 'attempt:join', { attemptId, deviceId: 'device-notes-0001' });
    expect(after.clock.status).toBe('in_progress');
    expect(after.clock.pauseReason).toBeUndefined();

    // Pausing everyone keeps the reason on each row too; resuming everyone clears it.
    await call(proctor, 'hall:bulk', { action: 'pause', examId, reason: 'Power cut' });
    expect((await rowOf(attemptId)).pauseReason).toBe('Power cut');
    const bulkSnap = await call(await socketFor(student), 'attempt:join', {
      attemptId,
      deviceId: 'device-notes-0001',
    });
    expect(bulkSnap.clock.pauseReason).toBe('Power cut');
    await call(proctor, 'hall:bulk', { action: 'resume', examId });
    expect((await rowOf(attemptId)).pauseReason).toBeNull();
  });
});

describe('demo data', () => {
  it('has a private note on the demo student’s attempt, written once through the note service', async () => {
    await seedDemo(t.system.db);
    const teacherEmail = DEMO_ACCOUNTS.find((a) => a.role === 'teacher')!.email;
    const studentEmail = DEMO_ACCOUNTS.find((a) => a.role === 'student')!.email;
    const secret = t.system.config.secret;
    const opts = { secret, teacherEmail, studentEmail, institutionName: 'Test institution' };
    expect(await seedDemoCertificate(t.system.db, opts)).not.toBeNull();
    const note = await seedDemoNote(t.system.db, secret, teacherEmail, CERTIFICATE_DEMO_TITLE);
    expect(note).toMatchObject({ body: DEMO_NOTE, updatedBy: { name: 'Tomas Teacher' } });
    // Loading the demo again leaves it as it is.
    expect(await seedDemoNote(t.system.db, secret, teacherEmail, CERTIFICATE_DEMO_TITLE)).toEqual(note);
    expect(await auditOf('hall.note_saved', note!.attemptId)).toHaveLength(1);
  });
});
