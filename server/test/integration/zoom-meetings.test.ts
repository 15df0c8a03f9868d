// Zoom meetings and registration against the Zoom emulator (scripts/zoom-emulator).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLogs, enrollments, meetingRegistrants, zoomMeetings } from '../../src/db/schema/index.ts';
import { insertUser } from '../../src/modules/auth/auth.repository.ts';
import { hashPassword } from '../../src/modules/auth/auth.passwords.ts';
import { startZoomEmulator, type ZoomEmulator } from '../../../scripts/zoom-emulator/emulator.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';

const creds = {
  accountId: 'acct-meetings',
  clientId: 'client-meetings',
  clientSecret: 'secret-meetings',
  webhookSecret: 'webhook-secret-meetings',
};

let emu: ZoomEmulator;
let t: TestSystem;
let teacher: Awaited<ReturnType<typeof as>>;

beforeAll(async () => {
  emu = await startZoomEmulator({ port: 0, ...creds });
  t = await startTestSystem({
    ZOOM_ACCOUNT_ID: creds.accountId,
    ZOOM_CLIENT_ID: creds.clientId,
    ZOOM_CLIENT_SECRET: creds.clientSecret,
    ZOOM_WEBHOOK_SECRET: creds.webhookSecret,
    ZOOM_API_URL: emu.apiBaseUrl,
    ZOOM_OAUTH_URL: emu.oauthTokenUrl,
  });
  teacher = await as('teacher');
});
afterAll(async () => {
  await t?.close();
  await emu?.stop();
});

async function as(role: 'admin' | 'teacher' | 'proctor' | 'student', sys = t) {
  const user = await sys.createUser(role);
  const c = new Client(sys.url);
  expect((await c.signIn(user.email, user.password)).status).toBe(200);
  return Object.assign(c, { user });
}

let seq = 0;
const uniq = () => `${++seq}${Math.random().toString(36).slice(2, 7)}`;

async function examWith(students: number, domain = 'school.example') {
  const course = await teacher.post('/api/courses', { name: `Course ${uniq()}`, allowedEmailDomains: [domain] });
  expect(course.status).toBe(201);
  const exam = await teacher.post('/api/exams', {
    title: 'Oral exam',
    durationMinutes: 30,
    availableAnytime: true,
    courseId: course.body.id,
  });
  expect(exam.status).toBe(201);
  const tag = uniq();
  const rows = Array.from({ length: students }, (_, i) => `s${i}-${tag}@${domain},Student ${i} ${tag}`);
  const imp = await teacher.post(`/api/exams/${exam.body.id}/participants/import`, `email,name\n${rows.join('\n')}\n`, {
    'content-type': 'text/csv',
  });
  expect(imp.status).toBe(200);
  return exam.body.id as string;
}

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

async function createMeeting(body: Record<string, unknown>) {
  const res = await teacher.post('/api/zoom/meetings', {
    topic: 'Oral exam on Zoom',
    startTime: inAnHour(),
    durationMinutes: 60,
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const batchCalls = () => emu.stats().requests['POST /v2/meetings/{meetingId}/batch_registrants'] ?? 0;
const zoomRegistrants = async (zoomMeetingId: string) => {
  const token = await fetch(`${emu.oauthTokenUrl}?grant_type=account_credentials&account_id=${creds.accountId}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64')}` },
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  const res = await fetch(`${emu.apiBaseUrl}/meetings/${zoomMeetingId}/registrants?page_size=300`, {
    headers: { authorization: `Bearer ${token.access_token}` },
  });
  return ((await res.json()) as { total_records: number }).total_records;
};

describe('meetings', () => {
  it('creates a meeting in Zoom with registration on, and audits it', async () => {
    const examId = await examWith(1);
    const m = await createMeeting({ examId, lateAfterMinutes: 5, partialBelowPercent: 60 });
    expect(m).toMatchObject({
      examId,
      courseId: null,
      topic: 'Oral exam on Zoom',
      registrationRequired: true,
      status: 'scheduled',
      lateAfterMinutes: 5,
      partialBelowPercent: 60,
      durationMinutes: 60,
    });
    expect(m.zoomMeetingId).toMatch(/^\d{9,12}$/);
    expect(m.joinUrl).toContain(emu.url);

    const zoomSide = await fetch(`${emu.url}/v2/meetings/${m.zoomMeetingId}`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(zoomSide.status).toBe(401); // the emulator checks tokens: the server used a real one

    expect((await teacher.get(`/api/zoom/meetings/${m.id}`)).body).toEqual(m);
    expect((await teacher.get(`/api/zoom/meetings?examId=${examId}`)).body).toEqual([m]);
    const [row] = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'zoom.meeting_create'), eq(auditLogs.targetId, m.id)));
    expect(row?.actorId).toBe(teacher.user.id);
  });

  it('links an existing Zoom meeting once; a second link is a conflict; an unknown number is a field error', async () => {
    const examId = await examWith(1);
    const existing = emu.createMeeting({ topic: 'Made in Zoom', type: 2, settings: { approval_type: 0 } });
    const id = String(existing.id);
    const res = await teacher.post('/api/zoom/meetings/link', { examId, zoomMeetingId: id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ zoomMeetingId: id, topic: 'Made in Zoom', registrationRequired: true, examId });

    const again = await teacher.post('/api/zoom/meetings/link', { examId, zoomMeetingId: id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');

    const unknown = await teacher.post('/api/zoom/meetings/link', { examId, zoomMeetingId: '99999999999' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0].path).toBe('body.zoomMeetingId');
  });

  it('changes the attendance rules, audited', async () => {
    const m = await createMeeting({ examId: await examWith(1) });
    const res = await teacher.request('PATCH', `/api/zoom/meetings/${m.id}/rules`, { lateAfterMinutes: 15 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lateAfterMinutes: 15, partialBelowPercent: m.partialBelowPercent });
    const rows = await t.system.db.select().from(auditLogs).where(eq(auditLogs.action, 'zoom.meeting_rules'));
    expect(rows.some((r) => r.targetId === m.id)).toBe(true);
  });

  it('hides meetings from other teachers (404) and refuses students (403)', async () => {
    const examId = await examWith(1);
    const m = await createMeeting({ examId });
    const stranger = await as('teacher');
    expect((await stranger.get(`/api/zoom/meetings/${m.id}`)).status).toBe(404);
    expect((await stranger.post(`/api/zoom/meetings/${m.id}/registrants`, { all: true })).status).toBe(404);
    expect((await stranger.get(`/api/zoom/meetings?examId=${examId}`)).status).toBe(404);
    const created = await stranger.post('/api/zoom/meetings', {
      examId,
      topic: 'x',
      startTime: inAnHour(),
      durationMinutes: 5,
    });
    expect(created.status).toBe(404);

    const student = await as('student');
    expect((await student.get(`/api/zoom/meetings/${m.id}`)).status).toBe(403);
    expect(
      (await student.post('/api/zoom/meetings', { examId, topic: 'x', startTime: inAnHour(), durationMinutes: 5 }))
        .status,
    ).toBe(403);

    const admin = await as('admin');
    expect((await admin.get(`/api/zoom/meetings/${m.id}`)).status).toBe(200);
  });

  it('says what to set when Zoom is not configured', async () => {
    const bare = await startTestSystem();
    try {
      const c = await as('teacher', bare);
      const exam = await c.post('/api/exams', { title: 'No Zoom', durationMinutes: 30, availableAnytime: true });
      const res = await c.post('/api/zoom/meetings', {
        examId: exam.body.id,
        topic: 'x',
        startTime: inAnHour(),
        durationMinutes: 30,
      });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('zoom_not_configured');
      expect(res.body.error.message).toMatch(/ZOOM_ACCOUNT_ID.*ZOOM_CLIENT_ID.*ZOOM_CLIENT_SECRET/);
      const link = await c.post('/api/zoom/meetings/link', { examId: exam.body.id, zoomMeetingId: '123456789' });
      expect(link.body.error.code).toBe('zoom_not_configured');
    } finally {
      await bare.close();
    }
  });
});

describe('registration', () => {
  it('registers a whole class of 65 in batches of 30, then skips everyone on a second run', async () => {
    const examId = await examWith(65);
    const m = await createMeeting({ examId });
    const before = batchCalls();
    const first = await teacher.post(`/api/zoom/meetings/${m.id}/registrants`, { all: true });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.counts).toEqual({ registered: 65, skipped: 0, rejected: 0, failed: 0 });
    expect(batchCalls() - before).toBe(3);
    expect(await zoomRegistrants(m.zoomMeetingId)).toBe(65);
    const rows = await t.system.db.select().from(meetingRegistrants).where(eq(meetingRegistrants.meetingId, m.id));
    expect(rows).toHaveLength(65);
    expect(rows.every((r) => r.status === 'registered' && r.zoomRegistrantId && r.joinUrl)).toBe(true);
    expect(new Set(rows.map((r) => r.joinUrl)).size).toBe(65);

    const second = await teacher.post(`/api/zoom/meetings/${m.id}/registrants`, { all: true });
    expect(second.body.counts).toEqual({ registered: 0, skipped: 65, rejected: 0, failed: 0 });
    expect(second.body.results.every((r: { reason: string }) => r.reason === 'already registered')).toBe(true);
    expect(batchCalls() - before).toBe(3);
    expect(await zoomRegistrants(m.zoomMeetingId)).toBe(65);

    // Rows lost on our side (a crash before they were stored): Zoom's list says they are registered.
    const lost = rows.slice(0, 4).map((r) => r.userId);
    for (const userId of lost) {
      await t.system.db
        .delete(meetingRegistrants)
        .where(and(eq(meetingRegistrants.meetingId, m.id), eq(meetingRegistrants.userId, userId)));
    }
    const third = await teacher.post(`/api/zoom/meetings/${m.id}/registrants`, { userIds: lost });
    expect(third.body.counts).toEqual({ registered: 0, skipped: 4, rejected: 0, failed: 0 });
    expect(third.body.results[0].reason).toBe('already registered in Zoom');
    expect(batchCalls() - before).toBe(3);
    const restored = await t.system.db.select().from(meetingRegistrants).where(eq(meetingRegistrants.meetingId, m.id));
    expect(restored.filter((r) => r.status === 'registered')).toHaveLength(65);

    const table = await teacher.get(`/api/zoom/meetings/${m.id}/registrants`);
    expect(table.status).toBe(200);
    expect(table.body.registrants).toHaveLength(65);
    expect(table.body.registrants.every((r: { status: string }) => r.status === 'registered')).toBe(true);

    const audits = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'zoom.register'), eq(auditLogs.targetId, m.id)));
    expect(audits).toHaveLength(3);
    expect(audits[0]!.details).toMatchObject({ all: true, registered: 65, skipped: 0 });
    for (const a of audits) expect(JSON.stringify(a.details)).not.toContain('@');
  });

  it('rejects people outside the session and outside the allowed domains; students see their personal link', async () => {
    const course = await teacher.post('/api/courses', {
      name: `Class ${uniq()}`,
      allowedEmailDomains: ['test.example'],
    });
    const courseId = course.body.id as string;
    const alice = await as('student'); // @test.example
    const bob = await as('student');
    const password = 'pw-outsider-123456';
    const outsider = await insertUser(t.system.db, {
      email: `outsider-${uniq()}@elsewhere.example`,
      name: 'Out Sider',
      role: 'student',
      passwordHash: await hashPassword(password),
    });
    const notEnrolled = await t.createUser('student');
    await t.system.db.insert(enrollments).values([
      { courseId, userId: alice.user.id },
      { courseId, userId: bob.user.id },
      { courseId, userId: outsider.id },
    ]);
    const m = await createMeeting({ courseId, topic: 'Class session' });

    const res = await teacher.post(`/api/zoom/meetings/${m.id}/registrants`, {
      userIds: [alice.user.id, outsider.id, notEnrolled.id],
    });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ registered: 1, skipped: 0, rejected: 2, failed: 0 });
    const by = Object.fromEntries(res.body.results.map((r: { userId: string }) => [r.userId, r]));
    expect(by[alice.user.id]).toMatchObject({ outcome: 'registered', reason: null });
    expect(by[outsider.id]).toMatchObject({ outcome: 'rejected' });
    expect(by[outsider.id].reason).toMatch(/elsewhere\.example is not allowed/);
    expect(by[notEnrolled.id]).toMatchObject({ outcome: 'rejected', reason: 'not a student of this course' });
    expect(await zoomRegistrants(m.zoomMeetingId)).toBe(1);

    const mine = await alice.get('/api/me/zoom-meetings');
    expect(mine.status).toBe(200);
    const [row] = await t.system.db
      .select()
      .from(meetingRegistrants)
      .where(and(eq(meetingRegistrants.meetingId, m.id), eq(meetingRegistrants.userId, alice.user.id)));
    expect(mine.body).toEqual([
      { meetingId: m.id, topic: 'Class session', startTime: m.startTime, status: 'scheduled', joinUrl: row!.joinUrl },
    ]);
    expect(row!.joinUrl).not.toBe(m.joinUrl);
    expect((await bob.get('/api/me/zoom-meetings')).body).toEqual([]);

    // Everyone: bob now, alice skipped, the outsider rejected again.
    const all = await teacher.post(`/api/zoom/meetings/${m.id}/registrants`, { all: true });
    expect(all.body.counts).toEqual({ registered: 1, skipped: 1, rejected: 1, failed: 0 });
  });

  it('keeps failed items with Zoom’s reason and tries them again on the next run', async () => {
    const examId = await examWith(3);
    const m = await createMeeting({ examId });
    // The meeting ran and ended in Zoom without telling us (no webhooks here): Zoom refuses registrations.
    await emu.startMeeting(m.zoomMeetingId);
    await emu.endMeeting(m.zoomMeetingId);
    const res = await teacher.post(`/api/zoom/meetings/${m.id}/registrants`, { all: true });
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ registered: 0, skipped: 0, rejected: 0, failed: 3 });
    expect(res.body.results[0].reason).toMatch(/Meeting is over/);
    const rows = await t.system.db.select().from(meetingRegistrants).where(eq(meetingRegistrants.meetingId, m.id));
    expect(rows.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    expect(rows[0]!.lastError).toMatch(/Meeting is over/);

    const before = batchCalls();
    const again = await teacher.post(`/api/zoom/meetings/${m.id}/registrants`, { all: true });
    expect(again.body.counts.failed).toBe(3);
    expect(batchCalls() - before).toBe(1);
    const table = await teacher.get(`/api/zoom/meetings/${m.id}/registrants`);
    expect(table.body.registrants[0]).toMatchObject({ status: 'failed', expected: true });
    expect(table.body.registrants[0].lastError).toMatch(/Meeting is over/);
  });

  it('asks to turn registration on in Zoom when a linked meeting has it off', async () => {
    const examId = await examWith(1);
    const off = emu.createMeeting({ topic: 'No registration', type: 2, settings: { approval_type: 2 } });
    const linked = await teacher.post('/api/zoom/meetings/link', { examId, zoomMeetingId: String(off.id) });
    expect(linked.body.registrationRequired).toBe(false);
    const res = await teacher.post(`/api/zoom/meetings/${linked.body.id}/registrants`, { all: true });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/Registration: Required/);
  });

  it('registers one by one where Zoom has no batch registration (recurring meetings)', async () => {
    const examId = await examWith(2);
    const recurring = emu.createMeeting({ topic: 'Weekly', type: 8, settings: { approval_type: 0 } });
    const linked = await teacher.post('/api/zoom/meetings/link', { examId, zoomMeetingId: String(recurring.id) });
    expect(linked.body.registrationRequired).toBe(true);
    const singles = () => emu.stats().requests['POST /v2/meetings/{meetingId}/registrants'] ?? 0;
    const before = singles();
    const res = await teacher.post(`/api/zoom/meetings/${linked.body.id}/registrants`, { all: true });
    expect(res.body.counts).toEqual({ registered: 2, skipped: 0, rejected: 0, failed: 0 });
    expect(singles() - before).toBe(2);
  });

  it('answers 502 zoom_refused with Zoom’s reason when Zoom no longer knows the meeting', async () => {
    const examId = await examWith(1);
    const [gone] = await t.system.db
      .insert(zoomMeetings)
      .values({ zoomMeetingId: '11111111111', topic: 'Deleted in Zoom', examId, registrationRequired: true })
      .returning();
    const res = await teacher.post(`/api/zoom/meetings/${gone!.id}/registrants`, { all: true });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('zoom_refused');
    expect(res.body.error.message).toMatch(/Meeting does not exist: 11111111111/);
  });
});
