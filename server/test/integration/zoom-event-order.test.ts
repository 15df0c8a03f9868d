// Zoom does not promise delivery order and the workers process the zoom queue 5 at a time:
// a meeting's join/leave/rejoin/ended events may be handled in any order, several at once,
// and some more than once. The segments (and the meeting's times) must come out the same as
// when every event is processed once, in the order it happened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { meetingParticipation, meetingRegistrants, zoomMeetings } from '../../src/db/schema/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { HallPublisher } from '../../src/modules/hall/hall.events.ts';
import { processZoomEvent } from '../../src/modules/zoom/zoom.events.ts';
import type { ZoomEvent } from '../../src/modules/zoom/zoom.types.ts';
import { signatureOf } from '../../src/modules/zoom/zoom.webhooks.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { waitFor } from '../support/certificates.ts';

const SECRET = 'zoom-webhook-secret-for-order-tests';
const TRIALS = 40;
let t: TestSystem;
let workers: Awaited<ReturnType<typeof startWorkers>>;
let redis: Redis;
let zoomQueue: Queue;
let ana: { id: string; email: string };
let ben: { id: string; email: string };

beforeAll(async () => {
  t = await startTestSystem({ ZOOM_WEBHOOK_SECRET: SECRET, ZOOM_REPORT_DELAY_SECONDS: '3600' });
  workers = await startWorkers(t.system.config, createLogger('silent'), { schedules: false });
  redis = new Redis(t.system.config.redis.url, { maxRetriesPerRequest: null });
  zoomQueue = new Queue('zoom', { connection: redis, prefix: `${t.system.config.redis.prefix}:bull` });
  ana = await t.createUser('student');
  ben = await t.createUser('student');
});
afterAll(async () => {
  await zoomQueue?.close();
  redis?.disconnect();
  await workers?.close();
  await t?.close();
});

/** mulberry32: the same seed gives the same orders on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffled<T>(list: T[], rnd: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const t0 = Date.UTC(2026, 0, 12, 9, 0, 0);
// Zoom's own format: whole seconds, Z.
const at = (s: number) => new Date(t0 + s * 1000).toISOString().replace('.000Z', 'Z');

/** One meeting's events in the order they happened (several people, rejoins, a lost join). */
function meetingEvents(zoomId: string): ZoomEvent[] {
  let ts = t0;
  const ev = (event: string, object: Record<string, unknown>, when: number): ZoomEvent => ({
    event,
    event_ts: (ts = Math.max(ts + 1, t0 + when * 1000)),
    payload: { account_id: 'acc', object: { id: zoomId, uuid: `inst-${zoomId}==`, topic: 'Order', ...object } },
  });
  const joined = (p: Record<string, unknown>, s: number) =>
    ev('meeting.participant_joined', { participant: { ...p, join_time: at(s) } }, s);
  const left = (p: Record<string, unknown>, s: number, reason: string) =>
    ev('meeting.participant_left', { participant: { ...p, leave_time: at(s), leave_reason: reason } }, s);
  // Ana registered; Zoom gives her a new per-stay user_id on each join (as it does).
  const anaP = { user_name: 'Ana', participant_uuid: 'uuid-ana', registrant_id: 'reg-ana', email: '' };
  // Ben is known by email only, and his payloads carry no per-stay id.
  const benP = { user_name: 'Ben', participant_uuid: 'uuid-ben', email: ben.email.toUpperCase() };
  const guest = { user_name: 'Guest', participant_uuid: 'uuid-guest' };
  const cleo = { user_name: 'Cleo', participant_uuid: 'uuid-cleo', user_id: '16780000' };
  const dan = { user_name: 'Dan', participant_uuid: 'uuid-dan' };
  // Eve's leave says when she joined (and lacks the email her join has).
  const eve = { user_name: 'Eve', participant_uuid: 'uuid-eve' };
  return [
    ev('meeting.started', { start_time: at(0) }, 0),
    joined(cleo, 30),
    joined({ ...anaP, user_id: '16778240' }, 60),
    joined(benP, 120),
    joined(guest, 300),
    joined({ ...eve, email: 'Eve@Example.org' }, 400),
    left({ ...anaP, user_id: '16778240' }, 600, 'left the meeting'),
    joined({ ...anaP, user_id: '16779264' }, 660),
    // Ben's connection drops and comes back within the same second.
    left(benP, 900, 'left the meeting. Reason : reconnecting'),
    joined(benP, 900),
    // Dan's join never reached us: only his leave did.
    left(dan, 1200, 'left the meeting'),
    left({ ...eve, join_time: at(400) }, 1500, 'left the meeting'),
    left({ ...anaP, user_id: '16779264' }, 1800, 'left the meeting'),
    left(benP, 2400, 'left the meeting'),
    // The host ends it: Cleo is told she left; the guest's leave is lost.
    left(cleo, 3000, 'left the meeting. Reason : Host ended the meeting.'),
    ev('meeting.ended', { start_time: at(0), end_time: at(3000) }, 3000),
  ];
}

let meetings = 0;
async function newMeeting() {
  const zoomId = String(86000000000 + ++meetings);
  const [m] = await t.system.db
    .insert(zoomMeetings)
    .values({ zoomMeetingId: zoomId, topic: 'Order', startTime: new Date(t0), registrationRequired: true })
    .returning();
  await t.system.db
    .insert(meetingRegistrants)
    .values({ meetingId: m!.id, userId: ana.id, email: ana.email, zoomRegistrantId: 'reg-ana', status: 'registered' });
  return { id: m!.id, zoomId };
}

/** What the outcome is made of: every webhook segment's fields and the meeting's times. */
async function outcomeOf(meetingId: string) {
  const rows = await t.system.db
    .select()
    .from(meetingParticipation)
    .where(eq(meetingParticipation.meetingId, meetingId))
    .orderBy(asc(meetingParticipation.zoomParticipantUuid), asc(meetingParticipation.joinedAt));
  const [m] = await t.system.db.select().from(zoomMeetings).where(eq(zoomMeetings.id, meetingId));
  return {
    meeting: { status: m!.status, startedAt: m!.startedAt?.toISOString(), endedAt: m!.endedAt?.toISOString() },
    segments: rows.map((r) => ({
      who: r.zoomParticipantUuid,
      userId: r.userId,
      joinedAt: r.joinedAt.toISOString(),
      leftAt: r.leftAt?.toISOString() ?? null,
      durationSeconds: r.durationSeconds,
      leaveReason: r.leaveReason,
      name: r.name,
      email: r.email,
      registrantId: r.registrantId,
      zoomUserId: r.zoomUserId,
      source: r.source,
    })),
  };
}

const publish = new Proxy({}, { get: () => () => {} }) as HallPublisher;

describe('zoom events in any order', () => {
  let expected: Awaited<ReturnType<typeof outcomeOf>>;

  beforeAll(async () => {
    const m = await newMeeting();
    for (const e of meetingEvents(m.zoomId)) await processZoomEvent(t.system.db, publish, e);
    expected = await outcomeOf(m.id);
  });

  it('in order: the segments are what happened', () => {
    const s = (who: string) => expected.segments.filter((x) => x.who === who);
    expect(expected.meeting).toEqual({ status: 'ended', startedAt: iso(0), endedAt: iso(3000) });
    expect(s('uuid-ana').map((x) => [x.userId, x.joinedAt, x.leftAt, x.durationSeconds, x.zoomUserId])).toEqual([
      [ana.id, iso(60), iso(600), 540, '16778240'],
      [ana.id, iso(660), iso(1800), 1140, '16779264'],
    ]);
    expect(s('uuid-ben').map((x) => [x.userId, x.joinedAt, x.leftAt, x.leaveReason])).toEqual([
      [ben.id, iso(120), iso(900), 'left the meeting. Reason : reconnecting'],
      [ben.id, iso(900), iso(2400), 'left the meeting'],
    ]);
    expect(s('uuid-guest').map((x) => [x.joinedAt, x.leftAt, x.leaveReason])).toEqual([
      [iso(300), iso(3000), 'meeting ended'],
    ]);
    expect(s('uuid-cleo').map((x) => [x.joinedAt, x.leftAt, x.durationSeconds])).toEqual([[iso(30), iso(3000), 2970]]);
    expect(s('uuid-eve').map((x) => [x.joinedAt, x.leftAt, x.email])).toEqual([
      [iso(400), iso(1500), 'eve@example.org'],
    ]);
    expect(s('uuid-dan').map((x) => [x.joinedAt, x.leftAt, x.durationSeconds])).toEqual([[iso(1200), iso(1200), 0]]);
  });

  it(`gives the same segments for ${TRIALS} shuffled orders, processed up to 5 at once, with redeliveries`, async () => {
    const rnd = prng(0x5eed10);
    const failures: { trial: number; order: string[]; actual: unknown; errors: string[] }[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const m = await newMeeting();
      const events = meetingEvents(m.zoomId);
      // Two events are delivered twice (Zoom retries; a job is retried after a crash).
      const order = shuffled([...events, events[Math.floor(rnd() * events.length)]!, events[5]!], rnd);
      const errors: string[] = [];
      for (let i = 0; i < order.length;) {
        const n = 1 + Math.floor(rnd() * 5); // what 5 workers may have in hand at once
        const batch = order.slice(i, i + n);
        i += n;
        const settled = await Promise.allSettled(batch.map((e) => processZoomEvent(t.system.db, publish, e)));
        for (const s of settled) if (s.status === 'rejected') errors.push(String(s.reason));
      }
      const actual = await outcomeOf(m.id);
      if (errors.length || JSON.stringify(actual) !== JSON.stringify(expected)) {
        failures.push({ trial, order: order.map(describeEvent), actual, errors });
      }
    }
    expect(
      { failed: failures.length, of: TRIALS, first: failures[0] },
      failures.length ? `${failures.length} of ${TRIALS} orders differ from in-order processing` : undefined,
    ).toEqual({ failed: 0, of: TRIALS, first: undefined });
  });

  it('gives the same segments when one shuffled order is delivered all at once through the endpoint and workers', async () => {
    const m = await newMeeting();
    const order = shuffled(meetingEvents(m.zoomId), prng(0xc0ffee));
    const statuses = await Promise.all(order.map((e) => deliver(JSON.stringify(e))));
    expect(statuses).toEqual(order.map(() => 204));
    // Positive condition: every job of the zoom queue taken and finished; then compare.
    await waitFor('the zoom queue to be idle', async () => {
      const counts = await zoomQueue.getJobCounts('waiting', 'active', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    });
    expect(await outcomeOf(m.id)).toEqual(expected);
  });
});

describe('zoom event times', () => {
  it('an event whose time does not parse is answered as not handled, once, instead of failing on every retry', async () => {
    const m = await newMeeting();
    const [bad] = meetingEvents(m.zoomId).filter((e) => e.event === 'meeting.participant_joined');
    bad!.payload!.object!.participant!.join_time = 'yesterday-ish';
    expect(await processZoomEvent(t.system.db, publish, bad!)).toEqual({
      handled: false,
      meetingId: m.id,
      note: 'participant.join_time is not a time: yesterday-ish',
    });
    expect((await outcomeOf(m.id)).segments).toEqual([]);
  });
});

function iso(s: number) {
  return new Date(t0 + s * 1000).toISOString();
}
function describeEvent(e: ZoomEvent) {
  const p = e.payload?.object?.participant;
  return `${e.event.replace('meeting.', '')}${p ? ` ${p.user_name}@${p.join_time ?? p.leave_time}` : ''}`;
}

async function deliver(raw: string) {
  const ts = String(Math.floor(Date.now() / 1000));
  const res = await fetch(`${t.url}/api/zoom/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zm-request-timestamp': ts,
      'x-zm-signature': signatureOf(SECRET, ts, raw),
    },
    body: raw,
  });
  await res.text();
  return res.status;
}
