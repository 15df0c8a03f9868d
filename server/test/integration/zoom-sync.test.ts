// A 1,000-participant meeting with rejoins, played by the Zoom emulator, synced from
// the participants report paged at 300 with 429s injected (with and without
// Retry-After): the stored segments and attendance equal what the emulator played.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import {
  attendanceRecords,
  auditLogs,
  meetingParticipation,
  meetingRegistrants,
  users,
  zoomMeetings,
} from '../../src/db/schema/index.ts';
import { silentPublisher } from '../../src/modules/hall/hall.events.ts';
import { syncAttendance } from '../../src/modules/attendance/attendance.sync.ts';
import { createZoomClient } from '../../src/modules/zoom/zoom.client.ts';
import { startZoomEmulator, type ZoomEmulator } from '../../../scripts/zoom-emulator/emulator.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';

let emulator: ZoomEmulator;
let t: TestSystem;

beforeAll(async () => {
  emulator = await startZoomEmulator({
    port: 0,
    accountId: 'acc-1',
    clientId: 'client-1',
    clientSecret: 'secret-1',
    webhookSecret: 'webhook-secret-1',
  });
  t = await startTestSystem({
    ZOOM_ACCOUNT_ID: 'acc-1',
    ZOOM_CLIENT_ID: 'client-1',
    ZOOM_CLIENT_SECRET: 'secret-1',
    ZOOM_API_URL: emulator.apiBaseUrl,
    ZOOM_OAUTH_URL: emulator.oauthTokenUrl,
  });
});
afterAll(async () => {
  await t?.close();
  await emulator?.stop();
});

const seconds = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 1000;

/** A generated, ended meeting linked here, with an account for everyone who has an email. */
async function playedMeeting(participants: number, seed: number) {
  const created = emulator.createMeeting({
    topic: `Class ${seed}`,
    type: 2,
    duration: 150,
    settings: { approval_type: 0 },
  });
  const truth = emulator.generate(created.id as number, { participants, rejoinRate: 0.4, seed });
  const [meeting] = await t.system.db
    .insert(zoomMeetings)
    .values({
      zoomMeetingId: String(truth.meetingId),
      zoomUuid: truth.uuid,
      topic: `Class ${seed}`,
      registrationRequired: true,
      status: 'ended',
      startedAt: new Date(truth.startTime),
      endedAt: new Date(truth.endTime),
    })
    .returning();
  const withEmail = truth.people.filter((p) => p.email);
  const emails = withEmail.map((p) => p.email!.toLowerCase());
  // The generator reuses names across meetings: one account per address.
  await t.system.db
    .insert(users)
    .values(
      emails.map((email, i) => ({
        email,
        name: withEmail[i]!.name,
        role: 'student' as const,
        status: 'invited' as const,
      })),
    )
    .onConflictDoNothing();
  const accounts = await t.system.db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(inArray(users.email, emails));
  const userOf = new Map(accounts.map((a) => [a.email, a.id]));
  // Registered people are matched by registrant id (their report email may differ in case).
  const registered = withEmail.filter((p) => p.registrantId);
  if (registered.length) {
    await t.system.db.insert(meetingRegistrants).values(
      registered.map((p) => ({
        meetingId: meeting!.id,
        userId: userOf.get(p.email!.toLowerCase())!,
        email: p.email!.toLowerCase(),
        zoomRegistrantId: p.registrantId!,
        status: 'registered' as const,
      })),
    );
  }
  return { meeting: meeting!, truth, userOf };
}

describe('attendance sync from the participants report', () => {
  it('matches the played meeting exactly: 1,000 people with rejoins, pages of 300, 429s on the way', async () => {
    const { meeting, truth, userOf } = await playedMeeting(1000, 11);
    expect(truth.totalSegments).toBeGreaterThan(1000);
    // Every 2nd report request is refused with 429 + Retry-After: 1 s.
    emulator.setRateLimit({ every: 2, retryAfterSeconds: 1 });
    const before = emulator.stats();
    const zoom = createZoomClient(t.system.redis, t.system.config.redis.prefix, t.system.config.zoom)!;
    const started = performance.now();
    const result = await syncAttendance(t.system.db, zoom, silentPublisher, meeting.id);
    const ms = performance.now() - started;
    emulator.setRateLimit(null);
    const after = emulator.stats();
    const pages = Math.ceil(truth.totalSegments / 300);
    console.log(
      `[zoom sync] ${truth.people.length} people, ${truth.totalSegments} segments, ${pages} pages, ${after.rateLimited - before.rateLimited} x 429: ${ms.toFixed(0)} ms`,
    );
    expect(result).toMatchObject({ segments: truth.totalSegments, pages });
    expect(after.rateLimited - before.rateLimited).toBeGreaterThanOrEqual(pages - 1);
    const [logged] = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, meeting.id));
    expect(logged).toMatchObject({ action: 'attendance.sync', details: { segments: truth.totalSegments, pages } });
    expect(JSON.stringify(logged!.details)).not.toContain('@');

    // Every segment, person by person.
    const stored = await t.system.db
      .select()
      .from(meetingParticipation)
      .where(eq(meetingParticipation.meetingId, meeting.id));
    expect(stored).toHaveLength(truth.totalSegments);
    const byUser = new Map<string | null, [string, string][]>();
    for (const s of stored) {
      const list = byUser.get(s.userId) ?? [];
      list.push([s.joinedAt.toISOString().replace('.000', ''), s.leftAt!.toISOString().replace('.000', '')]);
      byUser.set(s.userId, list);
    }
    let guests = 0;
    for (const p of truth.people) {
      const userId = p.email ? userOf.get(p.email.toLowerCase())! : null;
      if (!userId) {
        guests += p.segments.length;
        continue;
      }
      expect(byUser.get(userId)?.sort()).toEqual([...p.segments].sort());
    }
    expect(byUser.get(null)?.length ?? 0).toBe(guests);

    // Attendance by the rules (late after 10 min, partial below 75 %), computed here independently.
    const records = await t.system.db
      .select()
      .from(attendanceRecords)
      .where(eq(attendanceRecords.meetingId, meeting.id));
    const recordOf = new Map(records.map((r) => [r.userId, r]));
    const meetingSeconds = seconds(truth.startTime, truth.endTime);
    for (const p of truth.people.filter((x) => x.email)) {
      const r = recordOf.get(userOf.get(p.email!.toLowerCase())!)!;
      const total = p.segments.reduce((n, [a, b]) => n + seconds(a, b), 0);
      const late = seconds(truth.startTime, p.segments[0]![0]) > 600;
      const expected = (total / meetingSeconds) * 100 < 75 ? 'partial' : late ? 'late' : 'present';
      expect({ total: r.totalSeconds, status: r.status, segments: r.segmentsCount }).toEqual({
        total,
        status: expected,
        segments: p.segments.length,
      });
    }
  });

  it('backs off when a 429 has no Retry-After, and a second sync gives the same result', async () => {
    const { meeting, truth } = await playedMeeting(120, 12);
    emulator.setRateLimit({ every: 2, retryAfterSeconds: null });
    const zoom = createZoomClient(t.system.redis, t.system.config.redis.prefix, t.system.config.zoom)!;
    const first = await syncAttendance(t.system.db, zoom, silentPublisher, meeting.id);
    const again = await syncAttendance(t.system.db, zoom, silentPublisher, meeting.id);
    emulator.setRateLimit(null);
    expect(first).toEqual(again);
    expect(first.segments).toBe(truth.totalSegments);
    const stored = await t.system.db
      .select()
      .from(meetingParticipation)
      .where(eq(meetingParticipation.meetingId, meeting.id));
    expect(stored).toHaveLength(truth.totalSegments);
  });

  it('shares one token between clients, fetched once', async () => {
    const before = emulator.stats().tokensIssued;
    const prefix = `tok${Date.now()}`;
    const clients = Array.from({ length: 5 }, () => createZoomClient(t.system.redis, prefix, t.system.config.zoom)!);
    const created = emulator.createMeeting({ topic: 'Token', type: 2, settings: { approval_type: 0 } });
    await Promise.all(clients.flatMap((c) => [c.getMeeting(String(created.id)), c.getMeeting(String(created.id))]));
    expect(emulator.stats().tokensIssued - before).toBe(1);
  });
});
