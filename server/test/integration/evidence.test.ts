// Camera evidence frames (issue 14, "Done when"): a student uploads one frame for a camera
// alert of an evidence-keeping exam; the exam's proctor reads the exact bytes through a
// short-lived address signed for them; everyone else, an anonymous request, a tampered
// signature and an expired address are refused; the database never holds the JPEG in the
// clear; after the retention job the frame is gone (410) and its deletion is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import jpeg from 'jpeg-js';
import { EVIDENCE_MAX_BYTES, type HallSnapshot, type ProctoringEventDto } from '@exam-hall/protocol';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { call, nextEvent, openSocket } from '../support/sockets.ts';
import { assignProctor, publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { attempts, auditLogs, exams, proctoringEvents, proctoringEvidence } from '../../src/db/schema/index.ts';
import { signedEvidenceUrl } from '../../src/modules/camera/evidence.service.ts';
import { derivedEvidenceKey } from '../../src/modules/camera/evidence.crypto.ts';
import { runEvidenceRetentionJob } from '../../src/modules/camera/evidence.jobs.ts';
import { pino } from 'pino';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { createLogger } from '../../src/lib/logger.ts';

const SECRET = `evidence-test-secret-${randomBytes(16).toString('hex')}`;
const DAY_MS = 86_400_000;

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
let proctor: Awaited<ReturnType<typeof signedIn>>;

/** A real small JPEG (jpeg-js), with a JFIF header as browsers' canvas.toBlob writes. */
function makeJpeg(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = (i / 4) % 256;
    data[i + 1] = 128;
    data[i + 2] = (i / 7) % 256;
    data[i + 3] = 255;
  }
  return Buffer.from(jpeg.encode({ data, width, height }, 80).data);
}

async function raw(
  client: Client | null,
  method: string,
  path: string,
  body?: Buffer,
  contentType = 'image/jpeg',
): Promise<{ status: number; bytes: Buffer; json: any; headers: Headers }> {
  const res = await fetch(t.url + path, {
    method,
    headers: {
      ...(body ? { 'content-type': contentType } : {}),
      ...(client?.jar.size ? { cookie: client.cookieHeader() } : {}),
    },
    body,
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: any = undefined;
  if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(bytes.toString('utf8'));
  return { status: res.status, bytes, json, headers: res.headers };
}

/** An exam with the given camera settings, watched by `proctor`, and a running attempt with one camera alert. */
async function examWithAlert(camera: Record<string, unknown>, type = 'multi_person') {
  const exam = await publishedExam(t, teacher);
  await assignProctor(t, teacher, exam.id, proctor.user.id);
  // Started before the camera is switched on: the lobby's camera check is another slice's test.
  const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
  const [row] = await t.system.db.select().from(exams).where(eq(exams.id, exam.id));
  await t.system.db
    .update(exams)
    .set({ proctoring: { ...row!.proctoring, enabled: true, camera: { mode: 'presence', ...camera } as never } })
    .where(eq(exams.id, exam.id));
  const clientEventId = `ev-${randomBytes(6).toString('hex')}`;
  const userId = await userOf(attemptId);
  const [event] = await t.system.db
    .insert(proctoringEvents)
    .values({
      attemptId,
      examId: exam.id,
      userId,
      type,
      severity: 'high',
      details: { faces: 2 },
      confidence: 0.9,
      clientEventId,
    })
    .returning();
  return { examId: exam.id, student, attemptId, clientEventId, eventId: event!.id };
}

async function userOf(attemptId: string): Promise<string> {
  const [row] = await t.system.db.select({ userId: attempts.userId }).from(attempts).where(eq(attempts.id, attemptId));
  return row!.userId;
}

const upload = (student: Client, attemptId: string, clientEventId: string, body: Buffer, type?: string) =>
  raw(student, 'POST', `/api/attempts/${attemptId}/evidence?clientEventId=${clientEventId}`, body, type);

const storedRows = async (attemptId: string) =>
  t.system.db.select().from(proctoringEvidence).where(eq(proctoringEvidence.attemptId, attemptId));

beforeAll(async () => {
  t = await startTestSystem({ APP_SECRET: SECRET });
  teacher = await signedIn(t, 'teacher');
  proctor = await signedIn(t, 'proctor');
});

afterAll(async () => {
  await t?.close();
});

describe('evidence frames', () => {
  it('reach the exam proctor through a signed address and no one else; encrypted at rest; gone after retention', async () => {
    const a = await examWithAlert({ evidence: true, retentionDays: 7 });
    const frame = makeJpeg(320, 240);
    expect(frame.length).toBeLessThan(EVIDENCE_MAX_BYTES);

    // The proctor watches the hall: the alert came before its frame, so the upload is pushed too.
    const ps = await openSocket(t.url, proctor);
    await call(ps, 'hall:watch', { examId: a.examId });
    const pushed = nextEvent<{ event: ProctoringEventDto }>(ps, 'hall:alert-reviewed');
    const up = await upload(a.student, a.attemptId, a.clientEventId, frame);
    expect(up.status, JSON.stringify(up.json)).toBe(201);
    expect(up.json).toMatchObject({ eventId: a.eventId, bytes: frame.length, deletedAt: null });
    const expiresIn = Date.parse(up.json.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(7 * DAY_MS - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * DAY_MS);

    // At rest: sealed bytes that are not the JPEG and carry no JPEG/JFIF/Exif marker.
    const [stored] = await storedRows(a.attemptId);
    expect(stored!.sealed).not.toBeNull();
    const sealed = stored!.sealed!;
    expect(sealed.equals(frame)).toBe(false);
    expect(sealed.length).toBe(12 + 16 + frame.length);
    expect(sealed.includes(Buffer.from('JFIF'))).toBe(false);
    expect(sealed.includes(Buffer.from('Exif'))).toBe(false);
    expect(sealed.includes(frame.subarray(0, 64))).toBe(false);

    // One frame per alert.
    const again = await upload(a.student, a.attemptId, a.clientEventId, frame);
    expect(again.status).toBe(409);
    expect(await storedRows(a.attemptId)).toHaveLength(1);

    // The upload is audited, without the image.
    const [uploaded] = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'evidence.uploaded'), eq(auditLogs.targetId, up.json.id)));
    expect(uploaded!.details).toMatchObject({ eventId: a.eventId, type: 'multi_person', bytes: frame.length });
    expect(JSON.stringify(uploaded!.details).length).toBeLessThan(400);

    // Every alert list that reaches proctors carries the frame: the push, the hall snapshot,
    // the review trail, and an alert's review (the hall replaces the alert with the reviewed one).
    const evidence = { id: up.json.id, deletedAt: null, expiresAt: up.json.expiresAt };
    expect((await pushed).event).toMatchObject({ id: a.eventId, confidence: expect.closeTo(0.9, 5), evidence });
    const snapshot = await call<HallSnapshot>(ps, 'hall:watch', { examId: a.examId });
    expect(snapshot.alerts.find((x) => x.id === a.eventId)).toMatchObject({ evidence });
    const trail = await proctor.get(`/api/review/attempts/${a.attemptId}`);
    expect(trail.status).toBe(200);
    expect(trail.body.alerts.find((x: { id: string }) => x.id === a.eventId)).toMatchObject({ evidence });
    const reviewedPush = nextEvent<{ event: ProctoringEventDto }>(ps, 'hall:alert-reviewed');
    const reply = await call(ps, 'alert:review', { eventId: a.eventId, status: 'acknowledged' });
    expect(reply.event).toMatchObject({ evidence });
    expect((await reviewedPush).event).toMatchObject({ reviewStatus: 'acknowledged', evidence });
    ps.close();

    // The exam's proctor: a signed address, then the exact bytes with safe headers.
    const signed = await proctor.post(`/api/evidence/${up.json.id}/url`);
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.url).toMatch(new RegExp(`^/api/evidence/${up.json.id}\\?exp=\\d+&sig=[A-Za-z0-9_-]+$`));
    const seconds = (Date.parse(signed.body.expiresAt) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(50);
    expect(seconds).toBeLessThanOrEqual(60);
    const seen = await raw(proctor, 'GET', signed.body.url);
    expect(seen.status).toBe(200);
    expect(seen.bytes.equals(frame)).toBe(true);
    expect(seen.headers.get('content-type')).toBe('image/jpeg');
    expect(seen.headers.get('cache-control')).toContain('no-store');
    expect(seen.headers.get('x-content-type-options')).toBe('nosniff');
    expect(seen.headers.get('content-disposition')).toMatch(/^inline/);
    expect(seen.headers.get('content-security-policy')).toContain("default-src 'none'");
    const viewed = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'evidence.viewed'), eq(auditLogs.targetId, up.json.id)));
    expect(viewed).toHaveLength(1);
    expect(viewed[0]!.actorId).toBe(proctor.user.id);

    // The exam's teacher may ask for an address too.
    expect((await teacher.post(`/api/evidence/${up.json.id}/url`)).status).toBe(200);

    // The same address, for anyone else: refused.
    const otherTeacher = await signedIn(t, 'teacher');
    const otherProctor = await signedIn(t, 'proctor');
    const signedInStudent = await signedIn(t, 'student');
    const admin = await signedIn(t, 'admin');
    for (const who of [otherTeacher, otherProctor, signedInStudent, admin]) {
      const r = await raw(who, 'GET', signed.body.url);
      expect(r.status, who.user.email).toBe(403);
      expect(r.json.error.code).toBe('link_invalid');
      expect(r.bytes.includes(frame.subarray(0, 32))).toBe(false);
    }
    // The student who took it (attempt cookie, no sign-in) and an anonymous request: sign in first.
    expect((await raw(a.student, 'GET', signed.body.url)).status).toBe(401);
    expect((await raw(null, 'GET', signed.body.url)).status).toBe(401);
    // Those who may not watch the exam get no address of their own either.
    expect((await otherTeacher.post(`/api/evidence/${up.json.id}/url`)).status).toBe(404);
    expect((await otherProctor.post(`/api/evidence/${up.json.id}/url`)).status).toBe(404);
    expect((await a.student.post(`/api/evidence/${up.json.id}/url`)).status).toBe(401);

    // A tampered signature, or the expiry moved: refused.
    const url = new URL(signed.body.url, t.url);
    const sig = url.searchParams.get('sig')!;
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    const tampered = await raw(proctor, 'GET', `${url.pathname}?exp=${url.searchParams.get('exp')}&sig=${flipped}`);
    expect(tampered.status).toBe(403);
    expect(tampered.json.error.message).toMatch(/not valid/);
    const later = Number(url.searchParams.get('exp')) + 3600;
    expect((await raw(proctor, 'GET', `${url.pathname}?exp=${later}&sig=${sig}`)).status).toBe(403);

    // Expired: an address signed by the same function two minutes ago.
    const old = signedEvidenceUrl(SECRET, up.json.id, proctor.user.id, Date.now() - 120_000);
    const expired = await raw(proctor, 'GET', old.url);
    expect(expired.status).toBe(403);
    expect(expired.json.error).toMatchObject({ code: 'link_expired' });
    expect(expired.json.error.message).toMatch(/expired/);
    // ... while the same function's fresh address works: the refusal is the expiry, not the signing.
    const fresh = signedEvidenceUrl(SECRET, up.json.id, proctor.user.id);
    expect((await raw(proctor, 'GET', fresh.url)).status).toBe(200);

    // Retention: nothing is due today; eight days on, the frame is deleted and the deletion audited.
    const log = pino({ level: 'silent' });
    const today = await runEvidenceRetentionJob({ db: t.system.db, log }, { limit: 100 });
    expect((await storedRows(a.attemptId))[0]!.sealed).not.toBeNull();
    void today;
    const swept = await runEvidenceRetentionJob(
      { db: t.system.db, log },
      { limit: 100 },
      new Date(Date.now() + 8 * DAY_MS),
    );
    expect(swept.deleted).toBeGreaterThanOrEqual(1);
    const [after] = await storedRows(a.attemptId);
    expect(after!.sealed).toBeNull();
    expect(after!.deletedAt).not.toBeNull();
    const deletedAudit = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'evidence.deleted'), eq(auditLogs.targetId, up.json.id)));
    expect(deletedAudit).toHaveLength(1);
    expect(deletedAudit[0]!.details).toMatchObject({ eventId: a.eventId, reason: 'retention' });
    // Idempotent: a second run finds nothing of it.
    await runEvidenceRetentionJob({ db: t.system.db, log }, { limit: 100 }, new Date(Date.now() + 9 * DAY_MS));
    expect(
      await t.system.db
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.action, 'evidence.deleted'), eq(auditLogs.targetId, up.json.id))),
    ).toHaveLength(1);

    // Gone: the still-valid address answers 410, and no new address is made.
    const goneNow = await raw(proctor, 'GET', fresh.url);
    expect(goneNow.status).toBe(410);
    expect(goneNow.json.error.code).toBe('evidence_deleted');
    expect((await proctor.post(`/api/evidence/${up.json.id}/url`)).status).toBe(410);

    // Neither the image nor the key ever reached the log.
    const logged = t.logs.join('');
    expect(logged).toContain(up.json.id);
    expect(logged).not.toContain(frame.toString('base64').slice(0, 40));
    expect(logged).not.toContain(derivedEvidenceKey(SECRET).toString('base64'));
    expect(logged).not.toContain(derivedEvidenceKey(SECRET).toString('hex'));
  });

  it('runs the retention through the real job queue: a frame past its expiry is deleted by the worker', async () => {
    const a = await examWithAlert({ evidence: true, retentionDays: 1 });
    const up = await upload(a.student, a.attemptId, a.clientEventId, makeJpeg(64, 48));
    expect(up.status).toBe(201);
    await t.system.db
      .update(proctoringEvidence)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(proctoringEvidence.id, up.json.id));
    const workers = await startWorkers(t.system.config, createLogger('silent'), { schedules: false });
    const connection = new Redis(t.system.config.redis.url, { maxRetriesPerRequest: null });
    const prefix = `${t.system.config.redis.prefix}:bull`;
    const queue = new Queue('maintenance', { connection, prefix });
    const events = new QueueEvents('maintenance', { connection: connection.duplicate(), prefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add('evidence.retention', { limit: 1 });
      const result = await job.waitUntilFinished(events, 15_000);
      expect(result.deleted).toBeGreaterThanOrEqual(1);
      const [row] = await storedRows(a.attemptId);
      expect(row).toMatchObject({ sealed: null, deletedAt: expect.any(Date) });
      const signed = await proctor.post(`/api/evidence/${up.json.id}/url`);
      expect(signed.status).toBe(410);
      expect(signed.body.error.message).toMatch(/deleted after its retention period/);
      const bad = await queue.add('evidence.retention', { limit: 0 } as never);
      await expect(bad.waitUntilFinished(events, 15_000)).rejects.toThrow(/invalid payload/);
    } finally {
      await events.close();
      await queue.close();
      connection.disconnect();
      await workers.close();
    }
  });

  it('takes frames while the attempt runs or is paused, not once it has ended', async () => {
    const a = await examWithAlert({ evidence: true });
    const ps = await openSocket(t.url, proctor);
    try {
      await call(ps, 'hall:watch', { examId: a.examId });
      await call(ps, 'hall:action', { action: 'pause', attemptId: a.attemptId });
      expect((await upload(a.student, a.attemptId, a.clientEventId, makeJpeg(64, 48))).status).toBe(201);
      const [second] = await t.system.db
        .insert(proctoringEvents)
        .values({
          attemptId: a.attemptId,
          examId: a.examId,
          userId: await userOf(a.attemptId),
          type: 'no_face',
          severity: 'medium',
          clientEventId: 'no-face-after-end',
        })
        .returning();
      await call(ps, 'hall:action', { action: 'terminate', attemptId: a.attemptId, reason: 'test' });
      const late = await upload(a.student, a.attemptId, 'no-face-after-end', makeJpeg(64, 48));
      expect(late.status).toBe(409);
      expect(late.json.error.message).toMatch(/only be sent while the attempt is running/);
      const rows = await t.system.db
        .select()
        .from(proctoringEvidence)
        .where(eq(proctoringEvidence.eventId, second!.id));
      expect(rows).toEqual([]);
    } finally {
      ps.close();
    }
  });

  it('answers a frame whose stored bytes were altered with a 500 that the log explains, and never the bytes', async () => {
    const a = await examWithAlert({ evidence: true });
    const up = await upload(a.student, a.attemptId, a.clientEventId, makeJpeg(64, 48));
    const [row] = await storedRows(a.attemptId);
    const altered = Buffer.from(row!.sealed!);
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 0xff;
    await t.system.db.update(proctoringEvidence).set({ sealed: altered }).where(eq(proctoringEvidence.id, up.json.id));
    const signed = await proctor.post(`/api/evidence/${up.json.id}/url`);
    const r = await raw(proctor, 'GET', signed.body.url);
    expect(r.status).toBe(500);
    expect(r.json.error.code).toBe('internal');
    expect(t.logs.join('')).toContain(`evidence frame ${up.json.id} cannot be opened: key ${row!.keyId}`);
    const viewed = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'evidence.viewed'), eq(auditLogs.targetId, up.json.id)));
    expect(viewed).toEqual([]);
  });

  it('limits uploads per attempt: a parallel burst gets exactly the budget, the rest 429 with Retry-After', async () => {
    const a = await examWithAlert({ evidence: true });
    const replies = await Promise.all(
      Array.from({ length: 36 }, () => upload(a.student, a.attemptId, a.clientEventId, Buffer.from('x'), 'text/plain')),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 415)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    const limited = replies.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.json.error.message).toMatch(/Too many evidence uploads/);
    // Someone else's attempt id spends nothing of this attempt's budget (ownership comes first).
    const other = await examWithAlert({ evidence: true });
    expect((await upload(other.student, other.attemptId, other.clientEventId, makeJpeg(64, 48))).status).toBe(201);
  });

  it('refuses bad uploads with a 4xx naming the problem, storing nothing', async () => {
    const a = await examWithAlert({ evidence: true });
    const good = makeJpeg(160, 120);
    const cases: { name: string; body: Buffer; type?: string; id?: string; status: number; text: RegExp }[] = [
      { name: 'wrong content type', body: good, type: 'image/png', status: 415, text: /image\/jpeg/ },
      { name: 'json', body: Buffer.from('{"a":1}'), type: 'application/json', status: 415, text: /image\/jpeg/ },
      {
        name: 'too large',
        body: Buffer.concat([good, Buffer.alloc(EVIDENCE_MAX_BYTES)]),
        status: 413,
        text: /too large|at most/,
      },
      { name: 'not a JPEG', body: Buffer.from('GIF89a not a jpeg at all'), status: 400, text: /not a JPEG/ },
      { name: 'empty', body: Buffer.alloc(0), status: 400, text: /not a JPEG/ },
      {
        name: 'truncated header',
        body: good.subarray(0, 30),
        status: 400,
        text: /not a JPEG/,
      },
      { name: 'too many pixels', body: makeJpeg(400, 200), status: 400, text: /320 pixels.*400x200/ },
      { name: 'unknown alert', body: good, id: 'no-such-alert-1', status: 404, text: /clientEventId/ },
      { name: 'bad alert id', body: good, id: 'x', status: 400, text: /clientEventId/ },
    ];
    for (const c of cases) {
      const r = await upload(a.student, a.attemptId, c.id ?? a.clientEventId, c.body, c.type);
      expect(r.status, c.name).toBe(c.status);
      expect(r.json?.error?.message ?? '', c.name).toMatch(c.text);
    }
    // Not a camera alert.
    const tab = await t.system.db
      .insert(proctoringEvents)
      .values({
        attemptId: a.attemptId,
        examId: a.examId,
        userId: await userOf(a.attemptId),
        type: 'tab_hidden',
        severity: 'low',
        clientEventId: 'tab-hidden-0001',
      })
      .returning();
    expect(tab).toHaveLength(1);
    const notCamera = await upload(a.student, a.attemptId, 'tab-hidden-0001', good);
    expect(notCamera.status).toBe(400);
    expect(notCamera.json.error.fields[0]).toMatchObject({ path: 'query.clientEventId' });
    // Someone else's attempt: 404, whoever asks.
    const other = await examWithAlert({ evidence: true });
    expect((await upload(other.student, a.attemptId, a.clientEventId, good)).status).toBe(404);
    expect((await upload(new Client(t.url), a.attemptId, a.clientEventId, good)).status).toBe(404);
    expect((await upload(proctor, a.attemptId, a.clientEventId, good)).status).toBe(404);
    expect(await storedRows(a.attemptId)).toHaveLength(0);

    // An exam that does not keep evidence.
    const none = await examWithAlert({ evidence: false });
    const refused = await upload(none.student, none.attemptId, none.clientEventId, good);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/does not keep evidence/);
    expect(await storedRows(none.attemptId)).toHaveLength(0);

    // Nothing of it was audited either.
    const audited = await t.system.db.select().from(auditLogs).where(eq(auditLogs.action, 'evidence.uploaded'));
    expect(audited.filter((r) => [a.attemptId, none.attemptId].includes(String(r.details.attemptId)))).toEqual([]);
  });
});
