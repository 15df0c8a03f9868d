// Camera proctoring, the server's side: the lobby's consent and camera check (identity mode
// keeps the face description, never a photo), the exam page's setup, the start gate per
// deniedPolicy, camera:status reaching the proctors and the hall row, and camera signals
// with a confidence that scales their points in the risk breakdown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { FACE_DESCRIPTOR_LENGTH, examSchema, type CameraSettings } from '@exam-hall/protocol';
import {
  attempts,
  auditLogs,
  examParticipants,
  exams,
  proctoringEvents,
  proctoringEvidence,
} from '../../src/db/schema/index.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo.seed.ts';
import { DEMO_CAMERA_EXAM_TITLE, seedDemoCamera, seedDemoCameraAttempt } from '../../src/demo/demo-camera.seed.ts';
import { DEMO_FRAME_JPEG_BASE64 } from '../../src/demo/demo-camera-frame.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';
import { call, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';

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

const cameraExam = (camera: Partial<CameraSettings>, more: Record<string, unknown> = {}) =>
  publishedExam(t, teacher, {
    proctoring: { enabled: true, requireFullscreen: false, blockCopyPaste: false, strictMode: false, camera },
    ...more,
  });

async function enterLobby(examId: string) {
  const email = `cam-${Math.random().toString(36).slice(2, 10)}@school.example`;
  const inv = await teacher.post(`/api/exams/${examId}/participants`, { email });
  expect(inv.status).toBe(201);
  const student = new Client(t.url);
  const entered = await student.post('/api/attempts/start', { email, code: inv.body.code });
  expect(entered.status, JSON.stringify(entered.body)).toBe(201);
  return { student, attemptId: entered.body.attempt.id as string };
}

const row = async (id: string) => (await t.system.db.select().from(attempts).where(eq(attempts.id, id)))[0]!;
const reference = (seed = 1) => Array.from({ length: FACE_DESCRIPTOR_LENGTH }, (_, i) => Math.sin(i * seed) / 10);
const check = (c: Client, attemptId: string, body: unknown) => c.post(`/api/attempts/${attemptId}/camera-check`, body);
const fieldsOf = (body: { error: { fields?: { path: string }[] } }) => body.error.fields?.map((f) => f.path) ?? [];

describe('lobby camera check and setup', () => {
  it('identity mode stores consent, the face description and the score; setup gives them back to the student only', async () => {
    const exam = await cameraExam({ mode: 'identity', deniedPolicy: 'block' });
    const { student, attemptId } = await enterLobby(exam.id);

    // Bad bodies: 400 naming the field, nothing stored.
    const noRef = await check(student, attemptId, { consent: true, state: 'ready', faceScore: 0.9 });
    expect(noRef.status).toBe(400);
    expect(fieldsOf(noRef.body)).toEqual(['body.reference']);
    const noConsent = await check(student, attemptId, { consent: false, state: 'ready', reference: reference() });
    expect(noConsent.status).toBe(400);
    expect(fieldsOf(noConsent.body)).toEqual(['body.consent']);
    const short = await check(student, attemptId, { consent: true, state: 'ready', reference: [0.1, 0.2] });
    expect(short.status).toBe(400);
    expect(fieldsOf(short.body)).toEqual(['body.reference']);
    const badState = await check(student, attemptId, { consent: true, state: 'maybe' });
    expect(badState.status).toBe(400);
    expect(fieldsOf(badState.body)).toEqual(['body.state']);
    const deniedWithRef = await check(student, attemptId, { consent: true, state: 'denied', reference: reference() });
    expect(deniedWithRef.status).toBe(400);
    expect(fieldsOf(deniedWithRef.body)).toEqual(['body.reference']);
    expect((await row(attemptId)).cameraConsentAt).toBeNull();

    // Someone else (a stranger, the exam's teacher) gets 404 for the check and the setup.
    const good = { consent: true, state: 'ready', reference: reference(), faceScore: 0.97 };
    expect((await check(new Client(t.url), attemptId, good)).status).toBe(404);
    expect((await check(teacher, attemptId, good)).status).toBe(404);
    expect((await teacher.get(`/api/attempts/${attemptId}/camera`)).status).toBe(404);
    expect((await new Client(t.url).get(`/api/attempts/${attemptId}/camera`)).status).toBe(404);

    const ok = await check(student, attemptId, good);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({
      attemptId,
      state: 'on',
      faceVerificationCompleted: true,
      faceVerificationScore: expect.closeTo(0.97, 5),
    });
    expect(Date.parse(ok.body.consentAt)).toBeGreaterThan(Date.now() - 60_000);
    const a = await row(attemptId);
    expect(a.faceReference).toHaveLength(FACE_DESCRIPTOR_LENGTH);
    expect(a.faceReference![1]).toBeCloseTo(reference()[1]!, 5);

    const setup = await student.get(`/api/attempts/${attemptId}/camera`);
    expect(setup.status).toBe(200);
    expect(setup.body.settings).toMatchObject({ mode: 'identity', deniedPolicy: 'block' });
    expect(setup.body.consentAt).toBe(ok.body.consentAt);
    expect(setup.body.reference).toHaveLength(FACE_DESCRIPTOR_LENGTH);
    expect(setup.body.state).toBe('on');

    // Audited, without the face description.
    const logs = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, attemptId));
    const logged = logs.filter((l) => l.action === 'attempt.camera_check');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.details).toMatchObject({ examId: exam.id, mode: 'identity', state: 'on', identity: true });
    expect(JSON.stringify(logged[0]!.details)).not.toContain('reference');

    // A repeat before Start replaces it; after Start the check is refused.
    const again = await check(student, attemptId, { consent: true, state: 'denied' });
    expect(again.body).toMatchObject({ state: 'denied', faceVerificationCompleted: false });
    expect((await row(attemptId)).faceReference).toBeNull();
    expect((await check(student, attemptId, good)).status).toBe(200);
    expect((await student.post(`/api/attempts/${attemptId}/begin`)).status).toBe(200);
    const late = await check(student, attemptId, good);
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/in the lobby, before the exam starts/);
  });

  it('presence mode refuses a face description; an exam without the camera answers 409 camera_not_used', async () => {
    const presence = await cameraExam({ mode: 'presence' });
    const p = await enterLobby(presence.id);
    const withRef = await check(p.student, p.attemptId, { consent: true, state: 'ready', reference: reference() });
    expect(withRef.status).toBe(400);
    expect(fieldsOf(withRef.body)).toEqual(['body.reference']);
    const ok = await check(p.student, p.attemptId, { consent: true, state: 'ready', faceScore: 0.8 });
    // No identity score in presence mode (the hall would read the face detector's score as one).
    expect(ok.body).toMatchObject({ state: 'on', faceVerificationCompleted: false, faceVerificationScore: null });
    expect((await p.student.get(`/api/attempts/${p.attemptId}/camera`)).body.reference).toBeNull();

    const plain = await publishedExam(t, teacher);
    const o = await enterLobby(plain.id);
    const off = await check(o.student, o.attemptId, { consent: true, state: 'ready' });
    expect(off.status).toBe(409);
    expect(off.body.error.code).toBe('camera_not_used');
    expect((await row(o.attemptId)).cameraConsentAt).toBeNull();
  });
});

describe('camera check limits', () => {
  it('refuses a flood of checks for one attempt with 429 and Retry-After, storing nothing more', async () => {
    const exam = await cameraExam({ mode: 'presence' });
    const { student, attemptId } = await enterLobby(exam.id);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const r = await check(student, attemptId, { consent: true, state: i % 2 ? 'ready' : 'denied' });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(r.body.error.message).toMatch(/Too many camera checks/);
        break;
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.at(-1)).toBe(429);
    // The 30th check (index 29, ready) is what stays.
    expect((await row(attemptId)).cameraState).toBe('on');
  });
});

describe('the start gate', () => {
  it('policy block: no start without a check that saw the camera, with a message the student can act on', async () => {
    const exam = await cameraExam({ mode: 'presence', deniedPolicy: 'block' });
    const { student, attemptId } = await enterLobby(exam.id);
    const none = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('camera_check_required');
    expect(none.body.error.message).toMatch(/run the camera check/);
    await check(student, attemptId, { consent: true, state: 'denied' });
    const denied = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(denied.status).toBe(409);
    expect(denied.body.error.message).toMatch(/Allow the camera/);
    expect((await row(attemptId)).status).toBe('not_started');

    await check(student, attemptId, { consent: true, state: 'ready', faceScore: 0.9 });
    const begun = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(begun.status).toBe(200);
    expect(begun.body.attempt.status).toBe('in_progress');
  });

  it('policy alert: a denied camera starts the exam and records one camera_denied alert with confidence 1', async () => {
    const exam = await cameraExam({ mode: 'presence', deniedPolicy: 'alert' });
    const { student, attemptId } = await enterLobby(exam.id);
    await check(student, attemptId, { consent: true, state: 'denied' });
    const begun = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(begun.status).toBe(200);
    expect((await student.post(`/api/attempts/${attemptId}/begin`)).status).toBe(200);
    const events = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.attemptId, attemptId));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'camera_denied', confidence: 1, details: { reason: 'denied' } });
    expect((await row(attemptId)).riskScore).toBe(15);

    // No check at all under policy alert: the same, with the reason.
    const other = await enterLobby(exam.id);
    expect((await other.student.post(`/api/attempts/${other.attemptId}/begin`)).status).toBe(200);
    const [ev] = await t.system.db
      .select()
      .from(proctoringEvents)
      .where(eq(proctoringEvents.attemptId, other.attemptId));
    expect(ev).toMatchObject({ type: 'camera_denied', details: { reason: 'no_check' } });
    const started = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, other.attemptId));
    expect(started.find((l) => l.action === 'attempt.started')!.details).toMatchObject({ camera: 'no_check' });
  });

  it('proctor start mode: opening the hall does not start a lobby without the check (policy block); the check then lets it start', async () => {
    const exam = await cameraExam({ mode: 'presence', deniedPolicy: 'block' }, { startMode: 'proctor' });
    const { student, attemptId } = await enterLobby(exam.id);
    expect((await student.post(`/api/attempts/${attemptId}/begin`)).body.error.code).toBe('hall_not_open');
    expect((await teacher.post(`/api/exams/${exam.id}/hall/open`)).status).toBe(200);
    const refused = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('camera_check_required');
    await check(student, attemptId, { consent: true, state: 'ready', faceScore: 0.9 });
    expect((await student.post(`/api/attempts/${attemptId}/begin`)).body.attempt.status).toBe('in_progress');
  });
});

describe('during the exam', () => {
  async function running(camera: Partial<CameraSettings>) {
    const exam = await cameraExam(camera);
    const { student, attemptId } = await enterLobby(exam.id);
    const body =
      camera.mode === 'identity'
        ? { consent: true, state: 'ready', reference: reference(), faceScore: 0.95 }
        : { consent: true, state: 'ready', faceScore: 0.95 };
    expect((await check(student, attemptId, body)).status).toBe(200);
    expect((await student.post(`/api/attempts/${attemptId}/begin`)).status).toBe(200);
    const ss = await socketFor(student);
    await call(ss, 'attempt:join', { attemptId, deviceId: `cam-dev-${attemptId.slice(0, 8)}` });
    const ps = await socketFor(teacher);
    await call(ps, 'hall:watch', { examId: exam.id });
    return { exam, student, attemptId, ss, ps };
  }

  it('camera:status reaches the proctors as hall:camera and the hall row, only when something changed', async () => {
    const { exam, attemptId, ss, ps } = await running({ mode: 'identity' });
    const pushed = nextEvent(ps, 'hall:camera');
    expect(await call(ss, 'camera:status', { attemptId, state: 'no_face' })).toEqual({ state: 'no_face' });
    expect(await pushed).toMatchObject({ examId: exam.id, attemptId, state: 'no_face' });
    const a1 = await row(attemptId);
    expect(a1.cameraState).toBe('no_face');

    // The same state with a similarity within 0.05 of the stored one writes nothing.
    const withScore = nextEvent(ps, 'hall:camera');
    await call(ss, 'camera:status', { attemptId, state: 'on', similarity: 0.8 });
    expect(await withScore).toMatchObject({ state: 'on', faceVerificationScore: expect.closeTo(0.8, 5) });
    const stampAfterScore = (await row(attemptId)).cameraStateAt!.getTime();
    await call(ss, 'camera:status', { attemptId, state: 'on', similarity: 0.82 });
    expect((await row(attemptId)).cameraStateAt!.getTime()).toBe(stampAfterScore);
    // A bigger move does.
    const moved = nextEvent(ps, 'hall:camera');
    await call(ss, 'camera:status', { attemptId, state: 'on', similarity: 0.3 });
    expect(await moved).toMatchObject({ state: 'on', faceVerificationScore: expect.closeTo(0.3, 5) });

    const hall = await call(ps, 'hall:watch', { examId: exam.id });
    const r = hall.rows.find((x: { attemptId: string }) => x.attemptId === attemptId);
    expect(r.camera).toMatchObject({ state: 'on', faceVerificationScore: expect.closeTo(0.3, 5) });

    // Bad payloads: a clear error naming the field; someone else's attempt: refused.
    await expect(call(ss, 'camera:status', { attemptId, state: 'sleeping' })).rejects.toThrow(/state must be one of/);
    await expect(call(ss, 'camera:status', { attemptId, state: 'on', similarity: 2 })).rejects.toThrow(/similarity/);
    const other = await running({ mode: 'presence' });
    await expect(call(ss, 'camera:status', { attemptId: other.attemptId, state: 'off' })).rejects.toThrow(
      /Join the attempt first/,
    );
    expect((await row(other.attemptId)).cameraState).toBe('on');

    // Only while the exam runs, and only for an exam that uses the camera.
    const lobby = await enterLobby(exam.id);
    const ls = await socketFor(lobby.student);
    await call(ls, 'attempt:join', { attemptId: lobby.attemptId, deviceId: 'cam-lobby-0001' });
    await expect(call(ls, 'camera:status', { attemptId: lobby.attemptId, state: 'on' })).rejects.toThrow(
      /only while the exam runs/,
    );
    const plain = await publishedExam(t, teacher);
    const p = await enterLobby(plain.id);
    expect((await p.student.post(`/api/attempts/${p.attemptId}/begin`)).status).toBe(200);
    const pss = await socketFor(p.student);
    await call(pss, 'attempt:join', { attemptId: p.attemptId, deviceId: 'cam-plain-0001' });
    await expect(call(pss, 'camera:status', { attemptId: p.attemptId, state: 'on' })).rejects.toThrow(
      /camera_not_used/,
    );
    expect((await row(p.attemptId)).cameraState).toBeNull();
  });

  it('camera signals keep their confidence and measure, scale their points, and ask for evidence when the exam keeps it', async () => {
    const { attemptId, ss, ps } = await running({ mode: 'presence', evidence: true });
    const alert = nextEvent(ps, 'hall:alert');
    const ack = await call(ss, 'proctor:signal', {
      attemptId,
      type: 'multi_person',
      clientEventId: 'cam-evt-0001',
      confidence: 0.5,
      measure: { faces: 2 },
    });
    expect(ack).toMatchObject({ stored: true, wantsEvidence: true, eventId: expect.any(String) });
    const a = await alert;
    expect(a.event).toMatchObject({ id: ack.eventId, type: 'multi_person', confidence: 0.5 });
    expect(a.event.details).toMatchObject({ measure: { faces: 2 } });
    expect(a.risk).toEqual({
      score: 10,
      items: [{ type: 'multi_person', count: 1, weight: 20, points: 10, confidence: 0.5 }],
    });
    // A replay is not new: no second frame is asked for.
    expect(
      await call(ss, 'proctor:signal', {
        attemptId,
        type: 'multi_person',
        clientEventId: 'cam-evt-0001',
        confidence: 0.5,
      }),
    ).toMatchObject({ stored: false, wantsEvidence: false });
    // A non-camera signal cannot lower its own weight with a confidence.
    await call(ss, 'proctor:signal', { attemptId, type: 'tab_hidden', clientEventId: 'cam-evt-0002', confidence: 0 });
    const risk = await call(ps, 'hall:risk', { attemptId });
    expect(risk.items).toEqual([
      { type: 'multi_person', count: 1, weight: 20, points: 10, confidence: 0.5 },
      { type: 'tab_hidden', count: 1, weight: 10, points: 10 },
    ]);
    expect(risk.score).toBe(20);
    const [tab] = await t.system.db
      .select()
      .from(proctoringEvents)
      .where(eq(proctoringEvents.clientEventId, 'cam-evt-0002'));
    expect(tab!.confidence).toBeNull();
    // Out of range: refused with the field named, nothing stored.
    await expect(
      call(ss, 'proctor:signal', { attemptId, type: 'no_face', clientEventId: 'cam-evt-0003', confidence: 1.5 }),
    ).rejects.toThrow(/confidence must be between 0 and 1/);
  });

  it('an exam without evidence asks for no frame, nor does a camera that is off', async () => {
    const { attemptId, ss } = await running({ mode: 'presence', evidence: false });
    expect(
      await call(ss, 'proctor:signal', { attemptId, type: 'no_face', clientEventId: 'cam-evt-0101', confidence: 0.9 }),
    ).toMatchObject({ stored: true, wantsEvidence: false });
    const kept = await running({ mode: 'presence', evidence: true });
    const off = { attemptId: kept.attemptId, type: 'camera_off', clientEventId: 'cam-evt-0102', confidence: 1 };
    expect(await call(kept.ss, 'proctor:signal', off)).toMatchObject({ stored: true, wantsEvidence: false });
  });
});

describe('demo data', () => {
  it('makes the camera-proctored exam through the services once (presence mode, evidence kept, the demo student invited) and a class-mate mid-exam with camera alerts and a frame', async () => {
    await seedDemo(t.system.db);
    const teacherEmail = DEMO_ACCOUNTS.find((a) => a.role === 'teacher')!.email;
    const studentEmail = DEMO_ACCOUNTS.find((a) => a.role === 'student')!.email;
    const first = await seedDemoCamera(t.system.db, t.system.config.secret, teacherEmail, studentEmail);
    const again = await seedDemoCamera(t.system.db, t.system.config.secret, teacherEmail, studentEmail);
    expect(again.examId).toBe(first.examId);
    const found = await t.system.db.select().from(exams).where(eq(exams.title, DEMO_CAMERA_EXAM_TITLE));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ status: 'published' });
    const demoTeacher = new Client(t.url);
    expect(
      (await demoTeacher.signIn(teacherEmail, DEMO_ACCOUNTS.find((a) => a.role === 'teacher')!.password)).status,
    ).toBe(200);
    const dto = await demoTeacher.get(`/api/exams/${first.examId}`);
    expect(examSchema.parse(dto.body).proctoring.camera).toMatchObject({ mode: 'presence', evidence: true });
    const invited = await t.system.db.select().from(examParticipants).where(eq(examParticipants.examId, first.examId));
    expect(invited.map((p) => p.email).sort()).toEqual([studentEmail, 'student05@demo.examhall.test'].sort());

    // A class-mate mid-exam with camera alerts, one with a frame the exam's teacher can open.
    const cfg = t.system.config;
    const attemptId = await seedDemoCameraAttempt(t.system.db, cfg.secret, cfg.evidence, first.examId);
    expect(await seedDemoCameraAttempt(t.system.db, cfg.secret, cfg.evidence, first.examId)).toBe(attemptId);
    const [row] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId!));
    expect(row).toMatchObject({ status: 'in_progress', cameraState: 'on' });
    const alerts = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.attemptId, attemptId!));
    expect(alerts.map((e) => [e.type, e.confidence]).sort()).toEqual([
      ['gaze_offscreen', expect.closeTo(0.7, 5)],
      ['multi_person', expect.closeTo(0.81, 5)],
      ['no_face', expect.closeTo(0.92, 5)],
    ]);
    const frames = await t.system.db
      .select()
      .from(proctoringEvidence)
      .where(eq(proctoringEvidence.attemptId, attemptId!));
    expect(frames).toHaveLength(1);
    const link = await demoTeacher.post(`/api/evidence/${frames[0]!.id}/url`);
    expect(link.status).toBe(200);
    const image = await fetch(new URL(link.body.url, t.url), { headers: { cookie: demoTeacher.cookieHeader() } });
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer())).toEqual(Buffer.from(DEMO_FRAME_JPEG_BASE64, 'base64'));
  });
});
