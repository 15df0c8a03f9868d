// POST /api/zoom/webhooks: signatures over the raw body, replay window, url_validation,
// duplicates, and the worker turning events into attendance segments.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { meetingParticipation, meetingRegistrants, zoomMeetings } from '../../src/db/schema/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { signatureOf } from '../../src/modules/zoom/zoom.webhooks.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { waitFor } from '../support/certificates.ts';

const SECRET = 'zoom-webhook-secret-for-tests';
let t: TestSystem;
let workers: Awaited<ReturnType<typeof startWorkers>>;
let redis: Redis;
let zoomQueue: Queue;
let meetingId = '';
const zoomId = '85012345678';

beforeAll(async () => {
  t = await startTestSystem({ ZOOM_WEBHOOK_SECRET: SECRET, ZOOM_REPORT_DELAY_SECONDS: '3600' });
  workers = await startWorkers(t.system.config, createLogger('silent'), { schedules: false });
  redis = new Redis(t.system.config.redis.url, { maxRetriesPerRequest: null });
  zoomQueue = new Queue('zoom', { connection: redis, prefix: `${t.system.config.redis.prefix}:bull` });
  const [m] = await t.system.db
    .insert(zoomMeetings)
    .values({ zoomMeetingId: zoomId, topic: 'Oral exam', startTime: new Date(), registrationRequired: true })
    .returning();
  meetingId = m!.id;
});
afterAll(async () => {
  await zoomQueue?.close();
  redis?.disconnect();
  await workers?.close();
  await t?.close();
});

const now = () => String(Math.floor(Date.now() / 1000));
async function deliver(raw: string, o: { ts?: string; sig?: string; url?: string } = {}) {
  const ts = o.ts ?? now();
  const res = await fetch(`${o.url ?? t.url}/api/zoom/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-zm-request-timestamp': ts,
      'x-zm-signature': o.sig ?? signatureOf(SECRET, ts, raw),
    },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

let seq = 0;
function event(name: string, participant: Record<string, unknown> | null, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    event: name,
    event_ts: Date.now() + seq++,
    payload: {
      account_id: 'acc',
      object: {
        id: zoomId,
        uuid: 'abc==',
        host_id: 'h',
        topic: 'Oral exam',
        ...extra,
        ...(participant ? { participant } : {}),
      },
    },
  });
}
const segments = () =>
  t.system.db.select().from(meetingParticipation).where(eq(meetingParticipation.meetingId, meetingId));

/** Waits until the workers have taken and finished every queued event (none waiting or running). */
async function queueIdle() {
  await waitFor('the zoom queue to be idle', async () => {
    const counts = await zoomQueue.getJobCounts('waiting', 'active', 'prioritized');
    return Object.values(counts).every((n) => n === 0);
  });
}

/** How many jobs the zoom queue was really given so far (its event stream's `added` entries). */
async function jobsAdded(): Promise<number> {
  const entries = await redis.xrange(`${t.system.config.redis.prefix}:bull:zoom:events`, '-', '+');
  return entries.filter(([, f]) => f[0] === 'event' && f[1] === 'added').length;
}

/**
 * Starts listening to the zoom queue's completions; the promise resolves with the return
 * value of the first completed job that `match`es (listening before the delivery, so none is missed).
 */
async function watchZoomJobs(match: (value: Record<string, unknown> | undefined) => boolean) {
  const events = new QueueEvents('zoom', {
    connection: redis.duplicate(),
    prefix: `${t.system.config.redis.prefix}:bull`,
  });
  await events.waitUntilReady();
  const outcome = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for the zoom job')), 15_000);
    events.on('completed', ({ returnvalue }) => {
      const value = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as
        Record<string, unknown> | undefined;
      if (match(value)) {
        clearTimeout(timer);
        resolve(value!);
      }
    });
  });
  // Wrapped: an async function returning the promise itself would wait for it.
  return { outcome: outcome.finally(() => events.close()) };
}

describe('verification', () => {
  it('answers endpoint.url_validation as Zoom documents', async () => {
    const raw = JSON.stringify({
      event: 'endpoint.url_validation',
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
      event_ts: 1,
    });
    const res = await deliver(raw);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });

  it('refuses a wrong signature, a stale timestamp, a re-serialised body and a truncated body', async () => {
    // A meeting of its own: the one correctly signed delivery below must not touch the main one.
    const [side] = await t.system.db
      .insert(zoomMeetings)
      .values({ zoomMeetingId: '85099999999', topic: 'Side room', startTime: new Date() })
      .returning();
    const addedBefore = await jobsAdded();
    const raw = event(
      'meeting.participant_joined',
      { user_name: 'Mallory', participant_uuid: 'm-1', join_time: new Date().toISOString() },
      { id: '85099999999' },
    );
    const ts = now();
    const good = signatureOf(SECRET, ts, raw);
    const wrong = await deliver(raw, { ts, sig: signatureOf('another-secret', ts, raw) });
    expect(wrong).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringContaining('signature does not match') } },
    });
    const staleTs = String(Math.floor(Date.now() / 1000) - 6 * 60);
    const stale = await deliver(raw, { ts: staleTs, sig: signatureOf(SECRET, staleTs, raw) });
    expect(stale).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringContaining('older than 5 minutes') } },
    });
    const reserialised = JSON.stringify(JSON.parse(raw), null, 1); // same JSON, other bytes
    expect((await deliver(reserialised, { ts, sig: good })).status).toBe(401);
    expect((await deliver(raw.slice(0, -5), { ts, sig: good })).status).toBe(401);
    expect((await deliver(raw, { ts, sig: 'v0=nothex' })).status).toBe(401);
    expect((await deliver(raw, { ts: 'yesterday', sig: good })).status).toBe(401);
    // None of them was queued: the same event, signed right, is the one and only job (its
    // segment appearing is the positive condition; no sleep standing in for "nothing happened").
    expect((await deliver(raw, { ts, sig: good })).status).toBe(204);
    const mallory = await waitFor('the correctly signed delivery to be processed', async () => {
      const rows = await t.system.db
        .select()
        .from(meetingParticipation)
        .where(eq(meetingParticipation.meetingId, side!.id));
      return rows.length ? rows : null;
    });
    expect(mallory).toHaveLength(1);
    expect(await jobsAdded()).toBe(addedBefore + 1);
  });

  it('says so when webhooks are not configured', async () => {
    const bare = await startTestSystem();
    try {
      const res = await deliver(event('meeting.started', null), { url: bare.url });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toContain('ZOOM_WEBHOOK_SECRET');
    } finally {
      await bare.close();
    }
  });
});

describe('processing', () => {
  it('records joins, leaves and rejoins as segments, mapped by registrant id then email; ignores duplicates', async () => {
    const reg = await t.createUser('student');
    const byEmail = await t.createUser('student');
    await t.system.db
      .insert(meetingRegistrants)
      .values({ meetingId, userId: reg.id, email: reg.email, zoomRegistrantId: 'reg-123', status: 'registered' });
    const t0 = Date.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const joinA = event('meeting.participant_joined', {
      user_name: 'Ana',
      participant_uuid: 'pa',
      registrant_id: 'reg-123',
      email: '',
      join_time: at(1),
    });
    // As Zoom sends them: no order promised, all at once (the workers take 5 at a time),
    // one of them twice (Zoom's retry of a delivery it thought failed).
    const statuses = await Promise.all(
      [
        event('meeting.started', null, { start_time: at(0) }),
        joinA,
        joinA,
        event('meeting.participant_joined', {
          user_name: 'Ben',
          participant_uuid: 'pb',
          email: byEmail.email.toUpperCase(),
          join_time: at(2),
        }),
        event('meeting.participant_left', {
          user_name: 'Ana',
          participant_uuid: 'pa',
          registrant_id: 'reg-123',
          leave_time: at(10),
          leave_reason: 'left',
        }),
        event('meeting.participant_joined', {
          user_name: 'Ana',
          participant_uuid: 'pa',
          registrant_id: 'reg-123',
          join_time: at(20),
        }),
        event('meeting.participant_joined', { user_name: 'Guest', participant_uuid: 'pg', join_time: at(21) }),
      ].map(async (raw) => (await deliver(raw)).status),
    );
    expect(statuses).toEqual([204, 204, 204, 204, 204, 204, 204]);
    await queueIdle();
    const rows = await segments();
    const ana = rows.filter((r) => r.zoomParticipantUuid === 'pa').sort((a, b) => +a.joinedAt - +b.joinedAt);
    expect(
      ana.map((r) => [r.userId, r.joinedAt.toISOString(), r.leftAt?.toISOString() ?? null, r.durationSeconds]),
    ).toEqual([
      [reg.id, at(1), at(10), 9],
      [reg.id, at(20), null, null],
    ]);
    expect(rows.find((r) => r.zoomParticipantUuid === 'pb')?.userId).toBe(byEmail.id);
    expect(rows.find((r) => r.name === 'Guest')?.userId).toBeNull();

    // The meeting ends: open segments close at its end; the meeting is marked ended.
    expect((await deliver(event('meeting.ended', null, { start_time: at(0), end_time: at(30) }))).status).toBe(204);
    await queueIdle();
    const [ended] = await waitFor('the meeting to end', async () => {
      const m = await t.system.db.select().from(zoomMeetings).where(eq(zoomMeetings.id, meetingId));
      return m[0]?.status === 'ended' ? m : null;
    });
    expect(ended!.endedAt?.toISOString()).toBe(at(30));
    const open = await t.system.db
      .select()
      .from(meetingParticipation)
      .where(and(eq(meetingParticipation.meetingId, meetingId), eq(meetingParticipation.zoomParticipantUuid, 'pa')));
    expect(open.every((s) => s.leftAt !== null)).toBe(true);
  });

  it('ignores events of meetings that are not linked here', async () => {
    const before = await segments();
    const raw = JSON.stringify({
      event: 'meeting.participant_joined',
      event_ts: Date.now(),
      payload: {
        object: {
          id: '999999999',
          participant: { user_name: 'Stranger', participant_uuid: 'ps', join_time: new Date().toISOString() },
        },
      },
    });
    const { outcome } = await watchZoomJobs((r) => r?.note === 'meeting 999999999 is not linked here');
    expect((await deliver(raw)).status).toBe(204);
    // The worker's own answer for that job, then its (absent) effect: no meeting, no segment.
    expect(await outcome).toEqual({ handled: false, note: 'meeting 999999999 is not linked here' });
    expect(await t.system.db.select().from(zoomMeetings).where(eq(zoomMeetings.zoomMeetingId, '999999999'))).toEqual(
      [],
    );
    const after = await segments();
    expect(after.filter((s) => s.name === 'Stranger')).toEqual([]);
    expect(after).toHaveLength(before.length);
  });
});
