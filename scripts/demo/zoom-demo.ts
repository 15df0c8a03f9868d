// The Zoom side of the demo for `npm start`: a local Zoom emulator (scripts/zoom-emulator)
// stands in for Zoom, with a class meeting in progress for the "Live hall demo" exam.
// The demo teacher creates it and registers its students through the Zoom meeting
// service (so through the real Zoom client); they join, leave and rejoin now and
// then; the emulator sends correctly signed webhooks to the server, so the
// attendance dashboard moves live and merges Zoom with the exam hall.
import { and, eq, isNull } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createZoomMeetingSchema, registerStudentsSchema } from '@exam-hall/protocol';
import type { Config } from '../../server/src/config/config.ts';
import type { Db } from '../../server/src/db/client.ts';
import { exams, meetingRegistrants, users, zoomMeetings } from '../../server/src/db/schema/index.ts';
import { demoCaller } from '../../server/src/demo/demo-services.ts';
import { createZoomClient } from '../../server/src/modules/zoom/zoom.client.ts';
import { zoomJobs } from '../../server/src/modules/zoom/zoom.jobs.ts';
import { enqueuer } from '../../server/src/jobs/queues.ts';
import { createZoomMeetingService } from '../../server/src/modules/zoom/zoom.meetings.service.ts';
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
export async function startDemoClass(o: {
  db: Db;
  config: Config;
  emulator: ZoomEmulator;
  baseUrl: string;
  teacherEmail: string;
}) {
  const { db, emulator, config } = o;
  emulator.setWebhookUrl(`${o.baseUrl}/api/zoom/webhooks`);
  const [exam] = await db
    .select()
    .from(exams)
    .where(and(eq(exams.title, LIVE_DEMO_TITLE), isNull(exams.deletedAt)));
  if (!exam) return null;
  // The emulator starts empty every time, so a demo meeting of a previous start points
  // at nothing: it goes (no service deletes meetings; this is demo data only).
  await db.delete(zoomMeetings).where(eq(zoomMeetings.topic, ZOOM_DEMO_TOPIC));
  const redis = new Redis(config.redis.url);
  const queue = new Queue('zoom', { connection: redis.duplicate(), prefix: `${config.redis.prefix}:bull` });
  try {
    // Created and registered through the services, as the teacher's "Create meeting"
    // and "Register the class" do: the meeting is made in the (emulated) Zoom account.
    const service = createZoomMeetingService({
      db,
      secret: config.secret,
      zoom: createZoomClient(redis, config.redis.prefix, config.zoom),
      zoomJobs: zoomJobs(enqueuer(queue, 'zoom')),
      redis,
      config,
    });
    const caller = await demoCaller(db, o.teacherEmail);
    const meeting = await service.create(
      caller,
      createZoomMeetingSchema.parse({
        examId: exam.id,
        topic: ZOOM_DEMO_TOPIC,
        startTime: new Date().toISOString(),
        durationMinutes: 240,
        lateAfterMinutes: 2,
        partialBelowPercent: 60,
      }),
    );
    await service.registration.register(caller, meeting.id, registerStudentsSchema.parse({ all: true }));
    const zoomId = Number(meeting.zoomMeetingId);
    await emulator.startMeeting(zoomId);
    return playClass(db, emulator, meeting.id, zoomId);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** The registered class (and a guest) joining, most at once, then coming and going. */
async function playClass(db: Db, emulator: ZoomEmulator, meetingId: string, zoomId: number) {
  const people = await db
    .select({
      name: users.name,
      email: meetingRegistrants.email,
      registrantId: meetingRegistrants.zoomRegistrantId,
    })
    .from(meetingRegistrants)
    .innerJoin(users, eq(users.id, meetingRegistrants.userId))
    .where(eq(meetingRegistrants.meetingId, meetingId));
  const crowd = [
    ...people.map((p) => ({ name: p.name, email: p.email, registrantId: p.registrantId ?? undefined })),
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
        await emulator.leave(zoomId, person);
        inMeeting.delete(i);
      } else if (!inMeeting.has(i)) {
        await emulator.join(zoomId, person);
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
    await emulator.join(zoomId, person).catch(() => {});
    inMeeting.add(i);
  }
  timer = setTimeout(() => void tick(), 4000);
  return {
    meetingId,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
