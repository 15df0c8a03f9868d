import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import {
  attendanceRecords,
  auditLogs,
  enrollments,
  meetingParticipation,
  presence,
  zoomMeetings,
} from '../../src/db/schema/index.ts';
import { parseCsv } from '../../src/lib/csv.ts';
import { socketPublisher } from '../../src/modules/hall/hall.events.ts';
import { createAttendanceService } from '../../src/modules/attendance/attendance.service.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  // Configured (nothing listens there): "sync now" only queues, no worker runs in this file.
  t = await startTestSystem({
    ZOOM_ACCOUNT_ID: 'acct',
    ZOOM_CLIENT_ID: 'client',
    ZOOM_CLIENT_SECRET: 'secret',
    ZOOM_API_URL: 'http://127.0.0.1:9/v2',
    ZOOM_OAUTH_URL: 'http://127.0.0.1:9/oauth/token',
  });
  teacher = await signedIn(t, 'teacher');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const minutes = (n: number) => new Date(Date.now() + n * 60_000);

async function meeting(values: Partial<typeof zoomMeetings.$inferInsert> = {}) {
  const [m] = await t.system.db
    .insert(zoomMeetings)
    .values({
      zoomMeetingId: String(10_000_000_000 + Math.floor(Math.random() * 89_999_999_999)),
      topic: 'Oral exam',
      registrationRequired: true,
      status: 'started',
      startedAt: minutes(-30),
      lateAfterMinutes: 10,
      partialBelowPercent: 75,
      ...values,
    })
    .returning();
  return m!;
}

/** An exam with two students who started their attempts, and a running meeting linked to it. */
async function examSession() {
  const exam = await publishedExam(t, teacher);
  const ana = await startedAttempt(t, teacher, exam.id);
  const ben = await startedAttempt(t, teacher, exam.id);
  const userOf = async (attemptId: string) =>
    (await t.system.db.query.attempts.findFirst({ where: (a, { eq }) => eq(a.id, attemptId) }))!.userId;
  const m = await meeting({ examId: exam.id });
  return {
    exam,
    m,
    ana: { ...ana, userId: await userOf(ana.attemptId) },
    ben: { ...ben, userId: await userOf(ben.attemptId) },
  };
}

function seg(meetingId: string, userId: string | null, uuid: string, from: number, to: number | null, extra = {}) {
  return {
    meetingId,
    userId,
    zoomParticipantUuid: uuid,
    joinedAt: minutes(from),
    leftAt: to === null ? null : minutes(to),
    source: 'webhook' as const,
    ...extra,
  };
}

describe('the live dashboard', () => {
  it('puts the expected roster against Zoom and the hall, with timelines, rules and a summary', async () => {
    const { m, ana, ben } = await examSession();
    await t.system.db.insert(meetingParticipation).values([
      // Ana: in at 2 minutes, out, and back in (still there).
      seg(m.id, ana.userId, 'ana-uuid', -28, -20),
      seg(m.id, ana.userId, 'ana-uuid', -15, null),
      // A guest nobody could match, still in.
      seg(m.id, null, 'guest-uuid', -10, null, { name: 'Visitor', email: null }),
    ]);
    // Ben is not in Zoom but in the exam hall; Ana's hall segment closed long ago.
    await t.system.db.insert(presence).values([
      {
        attemptId: ben.attemptId,
        userId: ben.userId,
        examId: m.examId,
        connectionId: 'sock-ben',
        joinedAt: minutes(-5),
      },
      {
        attemptId: ana.attemptId,
        userId: ana.userId,
        examId: m.examId,
        connectionId: 'sock-ana',
        joinedAt: minutes(-29),
        leftAt: minutes(-27),
      },
    ]);

    const res = await teacher.get(`/api/zoom/meetings/${m.id}/attendance`);
    expect(res.status).toBe(200);
    const d = res.body;
    expect(d.basis).toBe('live');
    expect(d.meeting).toMatchObject({ id: m.id, status: 'started', examId: m.examId });
    const row = (userId: string | null, name?: string) =>
      d.rows.find((r: { userId: string | null; name: string }) => r.userId === userId && (!name || r.name === name));
    const a = row(ana.userId);
    expect(a).toMatchObject({ expected: true, inZoomNow: true, inHallNow: false, status: 'present', late: false });
    expect(a.email).toBe(ana.email);
    expect(a.lastLeaveAt).toBeNull();
    expect(a.segments.map((s: { source: string }) => s.source)).toEqual(['hall', 'webhook', 'webhook']);
    // 8 minutes + 15 minutes so far.
    expect(a.totalSeconds).toBeGreaterThanOrEqual(23 * 60 - 2);
    expect(a.totalSeconds).toBeLessThanOrEqual(23 * 60 + 2);
    expect(row(ben.userId)).toMatchObject({ expected: true, inZoomNow: false, inHallNow: true, status: 'absent' });
    expect(row(null, 'Visitor')).toMatchObject({ expected: false, inZoomNow: true, status: 'late', email: null });
    expect(d.rows[d.rows.length - 1].name).toBe('Visitor'); // expected people first
    expect(d.summary).toMatchObject({
      expected: 2,
      presentNow: 3,
      attended: 1,
      attendanceRate: 0.5,
      byStatus: { present: 1, late: 0, partial: 0, absent: 1 },
    });
    expect(d.summary.averageSeconds).toBe(Math.round(d.summary.totalSeconds / 2));
  });

  it('has no statuses before the meeting starts, and counts course students and registrants as expected', async () => {
    const course = (await teacher.post('/api/courses', { name: 'Attendance class' })).body;
    const student = await t.createUser('student');
    await t.system.db.insert(enrollments).values({ courseId: course.id, userId: student.id, role: 'student' });
    const m = await meeting({ courseId: course.id, status: 'scheduled', startedAt: null, startTime: minutes(60) });
    const d = (await teacher.get(`/api/zoom/meetings/${m.id}/attendance`)).body;
    expect(d.rows).toEqual([
      expect.objectContaining({ userId: student.id, expected: true, status: null, segments: [], totalSeconds: 0 }),
    ]);
    expect(d.summary).toMatchObject({ expected: 1, presentNow: 0, attended: 0, attendanceRate: 0 });
  });

  it('uses the synced report and the stored attendance once the meeting was synced', async () => {
    const { m, ana, ben } = await examSession();
    await t.system.db.insert(meetingParticipation).values([
      seg(m.id, ana.userId, 'ana-uuid', -28, null), // the live view never saw Ana leave
      seg(m.id, ana.userId, 'ana-uuid', -28, -2, { source: 'report' }),
      seg(m.id, ben.userId, 'ben-uuid', -18, -15, { source: 'report' }),
    ]);
    await t.system.db
      .update(zoomMeetings)
      .set({ status: 'ended', endedAt: minutes(-1), lastSyncedAt: new Date() })
      .where(eq(zoomMeetings.id, m.id));
    await t.system.db.insert(attendanceRecords).values([
      {
        meetingId: m.id,
        userId: ana.userId,
        sessionDate: '2026-01-01',
        status: 'present',
        firstJoinAt: minutes(-28),
        lastLeaveAt: minutes(-2),
        totalSeconds: 26 * 60,
        segmentsCount: 1,
      },
      // A teacher's override stands over the rules (3 of 29 minutes would be partial).
      {
        meetingId: m.id,
        userId: ben.userId,
        sessionDate: '2026-01-01',
        status: 'present',
        source: 'manual',
        firstJoinAt: minutes(-18),
        lastLeaveAt: minutes(-15),
        totalSeconds: 180,
        segmentsCount: 1,
      },
    ]);
    const d = (await teacher.get(`/api/zoom/meetings/${m.id}/attendance`)).body;
    expect(d.basis).toBe('report');
    const a = d.rows.find((r: { userId: string }) => r.userId === ana.userId);
    expect(a).toMatchObject({ status: 'present', inZoomNow: false, totalSeconds: 26 * 60, leftEarly: false });
    expect(a.segments).toEqual([expect.objectContaining({ source: 'report', leftAt: expect.any(String) })]);
    const b = d.rows.find((r: { userId: string }) => r.userId === ben.userId);
    expect(b).toMatchObject({ status: 'present', late: true, leftEarly: true, totalSeconds: 180 });
    expect(d.summary).toMatchObject({ expected: 2, attended: 2, attendanceRate: 1, presentNow: 0 });
  });
});

describe('who may see it', () => {
  it('the exam owner, the host, the course teacher and admins; strangers 404, students 403', async () => {
    const { m } = await examSession();
    const host = await signedIn(t, 'teacher');
    const stranger = await signedIn(t, 'teacher');
    const proctor = await signedIn(t, 'proctor');
    const admin = await signedIn(t, 'admin');
    const student = await signedIn(t, 'student');
    await t.system.db.update(zoomMeetings).set({ hostUserId: host.user.id }).where(eq(zoomMeetings.id, m.id));
    const path = `/api/zoom/meetings/${m.id}/attendance`;
    for (const c of [teacher, host, admin]) expect((await c.get(path)).status).toBe(200);
    for (const c of [stranger, proctor]) {
      const res = await c.get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect((await c.get(`${path}.csv`)).status).toBe(404);
      expect((await c.post(`/api/zoom/meetings/${m.id}/sync`)).status).toBe(404);
    }
    expect((await student.get(path)).status).toBe(403);
    expect((await student.get(`${path}.csv`)).status).toBe(403);
    expect((await stranger.get(`/api/zoom/meetings/${crypto.randomUUID()}/attendance`)).status).toBe(404);
    expect((await teacher.get('/api/zoom/meetings/nope/attendance')).status).toBe(400);

    const courseTeacher = await signedIn(t, 'teacher');
    const course = (await courseTeacher.post('/api/courses', { name: 'Course of the session' })).body;
    const classMeeting = await meeting({ courseId: course.id });
    expect((await courseTeacher.get(`/api/zoom/meetings/${classMeeting.id}/attendance`)).status).toBe(200);
    expect((await teacher.get(`/api/zoom/meetings/${classMeeting.id}/attendance`)).status).toBe(404);
  });
});

describe('the CSV export', () => {
  it('escapes formulas, matches the dashboard, and is audited with counts only', async () => {
    const { m, ana } = await examSession();
    await t.system.db.insert(meetingParticipation).values([
      seg(m.id, ana.userId, 'ana-uuid', -25, -5),
      seg(m.id, null, 'evil-uuid', -15, null, {
        name: '=HYPERLINK("http://x.example","y")',
        email: 'evil@x.example',
      }),
    ]);
    const res = await teacher.get(`/api/zoom/meetings/${m.id}/attendance.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('attendance-Oral-exam.csv');
    const records = parseCsv(res.body as string).map((r) => r.fields);
    expect(records[0]).toEqual([
      'name',
      'email',
      'expected',
      'status',
      'late',
      'left early',
      'first join',
      'last leave',
      'total minutes',
      'segments',
      'in zoom now',
      'in hall now',
    ]);
    const dash = (await teacher.get(`/api/zoom/meetings/${m.id}/attendance`)).body;
    expect(records.length - 1).toBe(dash.rows.length);
    const yn = (b: boolean) => (b ? 'yes' : 'no');
    for (const r of dash.rows) {
      const line = records.find((f) => f[1] === (r.email ?? ''))!;
      expect(line.slice(1)).toEqual([
        r.email ?? '',
        yn(r.expected),
        r.status ?? '',
        yn(r.late),
        yn(r.leftEarly),
        r.firstJoinAt ?? '',
        r.lastLeaveAt ?? '',
        String(Math.round(r.totalSeconds / 6) / 10),
        String(r.segments.filter((x: { source: string }) => x.source !== 'hall').length),
        yn(r.inZoomNow),
        yn(r.inHallNow),
      ]);
    }
    const evil = records.find((r) => r[1] === 'evil@x.example')!;
    expect(evil[0]).toBe(`'=HYPERLINK("http://x.example","y")`);
    expect(evil.slice(2, 5)).toEqual(['no', 'late', 'yes']); // joined 15 minutes in
    expect(records.find((r) => r[1] === ana.email)!.slice(2, 10)).toEqual([
      'yes',
      'present',
      'no',
      'no',
      expect.any(String),
      expect.any(String),
      '20',
      '1',
    ]);
    const [entry] = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetId, m.id), eq(auditLogs.action, 'attendance.export')));
    expect(entry).toMatchObject({ actorId: teacher.user.id, targetType: 'zoom_meeting' });
    expect(entry!.details).toEqual({ rows: dash.rows.length, expected: 2, basis: 'live' });
    expect(JSON.stringify(entry!.details)).not.toContain('@');
  });
});

describe('sync now', () => {
  it('queues a sync of an ended meeting (202, audited); refuses a running one and an unconfigured server', async () => {
    const { m } = await examSession();
    const running = await teacher.post(`/api/zoom/meetings/${m.id}/sync`);
    expect(running.status).toBe(409);
    await t.system.db
      .update(zoomMeetings)
      .set({ status: 'ended', endedAt: new Date() })
      .where(eq(zoomMeetings.id, m.id));
    const res = await teacher.post(`/api/zoom/meetings/${m.id}/sync`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ queued: true, meetingId: m.id });
    const entries = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetId, m.id), eq(auditLogs.action, 'attendance.sync_requested')));
    expect(entries).toHaveLength(1);

    const queued: string[] = [];
    const unconfigured = createAttendanceService({
      db: t.system.db,
      secret: 'x',
      zoom: null,
      zoomJobs: { event: async () => {}, sync: async (id) => void queued.push(id) },
    });
    const caller = {
      actor: {
        userId: teacher.user.id,
        role: 'teacher' as const,
        sessionId: 's',
        sessionExpiresAt: new Date(),
        email: '',
        name: '',
      },
      ip: '127.0.0.1',
    };
    await expect(unconfigured.requestSync(caller, m.id)).rejects.toMatchObject({
      status: 503,
      code: 'zoom_not_configured',
    });
    expect(queued).toEqual([]);
  });
});

describe('watching over the socket', () => {
  it('joins the meeting’s room after the same access check and receives attendance:changed', async () => {
    const { m } = await examSession();
    const socket = await openSocket(t.url, teacher);
    sockets.push(socket);
    expect(await call(socket, 'attendance:watch', { meetingId: m.id })).toEqual({ watching: true });
    const changed = nextEvent(socket, 'attendance:changed');
    socketPublisher(t.system.io).attendanceChanged(m.id);
    expect(await changed).toEqual({ meetingId: m.id });

    const stranger = await signedIn(t, 'teacher');
    const other = await openSocket(t.url, stranger);
    sockets.push(other);
    await expect(call(other, 'attendance:watch', { meetingId: m.id })).rejects.toThrow(/not_found/);
    await expect(call(other, 'attendance:watch', { meetingId: 'x' })).rejects.toThrow(/validation_failed/);
    const student = await signedIn(t, 'student');
    const s3 = await openSocket(t.url, student);
    sockets.push(s3);
    await expect(call(s3, 'attendance:watch', { meetingId: m.id })).rejects.toThrow(/forbidden/);
  });
});
