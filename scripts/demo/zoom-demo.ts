// The Zoom side of the demo for `npm start`: a local Zoom emulator (scripts/zoom-emulator)
// stands in for Zoom, with a class meeting in progress for the "Live hall demo" exam.
// Its students are registered through the real Zoom client, then join, leave and
// rejoin now and then; the emulator sends correctly signed webhooks to the server,
// so the attendance dashboard moves live and merges Zoom with the exam hall.
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import type { Config } from '../../server/src/config/config.ts';
import type { Db } from '../../server/src/db/client.ts';
import { examParticipants, exams, meetingRegistrants, users, zoomMeetings } from '../../server/src/db/schema/index.ts';
import { createZoomClient } from '../../server/src/modules/zoom/zoom.client.ts';
import { startZoomEmulator, type ZoomEmulator } from '../zoom-emulator/emulator.ts';
import { LIVE_DEMO_TITLE } from './hall-simulator.ts';

export const ZOOM_DEMO_TOPIC = 'Live class on Zoom (demo)';
const DEMO_APP = {
  accountId: 'demo-account',
  clientId: 'demo-client-id',
  clientSecret: 'demo-client-secret',
  webhookSecret: 'demo-webhook-secret-token',
};

/** Starts the emulator and points the server's Zoom settings at it (before the config is loaded).
 * What a person set wins: a ZOOM_WEBHOOK_SECRET of their own is kept, and the emulator signs
 * its webhooks with it. */
export async function startDemoZoom(env: NodeJS.ProcessEnv): Promise<ZoomEmulator> {
  const webhookSecret = env.ZOOM_WEBHOOK_SECRET || DEMO_APP.webhookSecret;
  const emulator = await startZoomEmulator({ port: 0, ...DEMO_APP, webhookSecret });
  Object.assign(env, {
    ZOOM_ACCOUNT_ID: DEMO_APP.accountId,
    ZOOM_CLIENT_ID: DEMO_APP.clientId,
    ZOOM_CLIENT_SECRET: DEMO_APP.clientSecret,
    ZOOM_WEBHOOK_SECRET: webhookSecret,
    ZOOM_API_URL: emulator.apiBaseUrl,
    ZOOM_OAUTH_URL: emulator.oauthTokenUrl,
    // The emulator's report is there at once.
    ZOOM_REPORT_DELAY_SECONDS: env.ZOOM_REPORT_DELAY_SECONDS ?? '5',
  });
  return emulator;
}

/** A class meeting in progress, with the live-hall demo's students coming and going. */
export async function startDemoClass(o: { db: Db; config: Config; emulator: ZoomEmulator; baseUrl: string }) {
  const { db, emulator } = o;
  emulator.setWebhookUrl(`${o.baseUrl}/api/zoom/webhooks`);
  const [exam] = await db.select().from(exams).where(eq(exams.title, LIVE_DEMO_TITLE));
  if (!exam) return null;
  // The emulator starts empty every time: so does the demo meeting.
  await db.delete(zoomMeetings).where(eq(zoomMeetings.topic, ZOOM_DEMO_TOPIC));
  const created = emulator.createMeeting({
    topic: ZOOM_DEMO_TOPIC,
    type: 2,
    start_time: new Date().toISOString(),
    duration: 240,
    settings: { approval_type: 0, registration_type: 1 },
  }) as { id: number; uuid: string; host_id: string; join_url: string };
  const [meeting] = await db
    .insert(zoomMeetings)
    .values({
      zoomMeetingId: String(created.id),
      zoomUuid: created.uuid,
      hostId: created.host_id,
      hostUserId: exam.createdBy,
      topic: ZOOM_DEMO_TOPIC,
      startTime: new Date(),
      durationMinutes: 240,
      joinUrl: created.join_url,
      registrationRequired: true,
      examId: exam.id,
      courseId: exam.courseId,
      lateAfterMinutes: 2,
      partialBelowPercent: 60,
    })
    .returning();
  const people = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(examParticipants)
    .innerJoin(users, eq(users.id, examParticipants.userId))
    .where(eq(examParticipants.examId, exam.id));
  // Registered through the real client, as the teacher's "Register the class" does.
  const redis = new Redis(o.config.redis.url);
  const zoom = createZoomClient(redis, o.config.redis.prefix, o.config.zoom)!;
  const reg = await zoom.batchRegister(
    String(created.id),
    people.map((p) => ({
      email: p.email,
      first_name: p.name.split(' ')[0]!,
      last_name: p.name.split(' ').slice(1).join(' '),
    })),
  );
  redis.disconnect();
  const byEmail = new Map((reg.registrants ?? []).map((r) => [r.email?.toLowerCase(), r]));
  if (people.length) {
    await db.insert(meetingRegistrants).values(
      people.map((p) => ({
        meetingId: meeting!.id,
        userId: p.id,
        email: p.email,
        zoomRegistrantId: byEmail.get(p.email)?.registrant_id ?? null,
        joinUrl: byEmail.get(p.email)?.join_url ?? null,
        status: byEmail.get(p.email)?.registrant_id ? ('registered' as const) : ('failed' as const),
        registeredAt: new Date(),
      })),
    );
  }
  await emulator.startMeeting(created.id);

  const crowd = [
    ...people.map((p) => ({ name: p.name, email: p.email, registrantId: byEmail.get(p.email)?.registrant_id })),
    { name: 'Visitor (guest)' },
  ];
  const inMeeting = new Set<number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    const i = Math.floor(Math.random() * crowd.length);
    const person = crowd[i]!;
    try {
      if (inMeeting.has(i) && Math.random() < 0.5) {
        await emulator.leave(created.id, person);
        inMeeting.delete(i);
      } else if (!inMeeting.has(i)) {
        await emulator.join(created.id, person);
        inMeeting.add(i);
      }
    } catch {
      /* the server is stopping */
    }
    if (!stopped) timer = setTimeout(() => void tick(), 3000 + Math.random() * 5000);
  };
  // Most of the class joins at once, a few come late.
  for (const [i, person] of crowd.entries()) {
    if (i % 3 === 2) continue;
    await emulator.join(created.id, person).catch(() => {});
    inMeeting.add(i);
  }
  timer = setTimeout(() => void tick(), 4000);
  return {
    meetingId: meeting!.id,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
