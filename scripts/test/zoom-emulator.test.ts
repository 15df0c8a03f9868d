// The Zoom emulator against Zoom's documented contract: OAuth, bearer check, meetings, registrants,
// report paging over a large generated meeting, 429 injection, signed webhooks (verified here with
// node:crypto over the exact bytes received), url_validation and scripted playback timing.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startZoomEmulator, type ZoomEmulator } from '../zoom-emulator/emulator.ts';
import { signWebhook } from '../zoom-emulator/signing.ts';

const CREDS = { accountId: 'acc-1', clientId: 'client-1', clientSecret: 'secret-1', webhookSecret: 'whsec-1' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  at: number;
}

/** A webhook receiver that keeps the exact bytes; `answer` decides the reply. */
async function startReceiver(answer: (body: any) => { status: number; body?: unknown }) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ headers: req.headers, raw, at: performance.now() });
      const reply = answer(JSON.parse(raw.toString('utf8')));
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/zoom/webhook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function urlValidationAnswer(secret: string) {
  return (body: any) =>
    body.event === 'endpoint.url_validation'
      ? {
          status: 200,
          body: {
            plainToken: body.payload.plainToken,
            encryptedToken: createHmac('sha256', secret).update(body.payload.plainToken).digest('hex'),
          },
        }
      : { status: 200 };
}

/** The check a receiver does, written independently of the emulator's signing module. */
function verify(r: Received, secret: string): boolean {
  const ts = String(r.headers['x-zm-request-timestamp']);
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(r.raw).digest('hex')}`;
  return r.headers['x-zm-signature'] === expected;
}

let em: ZoomEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let token: string;

/** The report fields these checks read (Zoom's documented participant row). */
interface ReportRow {
  id: string;
  name: string;
  user_email: string;
  registrant_id: string;
  join_time: string;
  leave_time: string;
  duration: number;
}

async function getToken(e: ZoomEmulator, accountId = CREDS.accountId, secret = CREDS.clientSecret) {
  const res = await fetch(`${e.oauthTokenUrl}?grant_type=account_credentials&account_id=${accountId}`, {
    method: 'POST',
    headers: { authorization: basic(CREDS.clientId, secret) },
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function api(method: string, path: string, body?: unknown, bearer: string | null = token) {
  const headers: Record<string, string> = {};
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${em.apiBaseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
}

async function createMeeting(settings: Record<string, unknown> = { approval_type: 0 }, type = 2) {
  const res = await api('POST', '/users/me/meetings', { topic: 'Final exam', type, settings });
  expect(res.status).toBe(201);
  return res.body;
}

beforeAll(async () => {
  receiver = await startReceiver(urlValidationAnswer(CREDS.webhookSecret));
  em = await startZoomEmulator({ ...CREDS, webhookUrl: receiver.url });
  token = (await getToken(em)).body.access_token;
});

afterAll(async () => {
  await em.stop();
  await receiver.close();
});

beforeEach(() => {
  receiver.received.length = 0;
});

describe('OAuth (account_credentials)', () => {
  it('issues an opaque bearer token in the documented shape', async () => {
    const before = em.stats().tokensIssued;
    const { status, body } = await getToken(em);
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 3599,
      scope: expect.stringContaining('report:read:list_meeting_participants:admin'),
      api_url: em.url,
    });
    expect(body.access_token.length).toBeGreaterThan(40);
    expect(em.stats().tokensIssued).toBe(before + 1);
  });

  it('refuses wrong client credentials, grant type and account', async () => {
    expect(await getToken(em, CREDS.accountId, 'wrong')).toEqual({
      status: 400,
      body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' },
    });
    const grant = await fetch(`${em.oauthTokenUrl}?grant_type=client_credentials&account_id=${CREDS.accountId}`, {
      method: 'POST',
      headers: { authorization: basic(CREDS.clientId, CREDS.clientSecret) },
    });
    expect(grant.status).toBe(400);
    expect((await getToken(em, 'other-account')).status).toBe(400);
  });

  it('accepts the parameters as a form body too', async () => {
    const res = await fetch(em.oauthTokenUrl, {
      method: 'POST',
      headers: {
        authorization: basic(CREDS.clientId, CREDS.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `grant_type=account_credentials&account_id=${CREDS.accountId}`,
    });
    expect(res.status).toBe(200);
  });

  it('expires tokens after tokenTtlSeconds', async () => {
    const short = await startZoomEmulator({ ...CREDS, tokenTtlSeconds: 1 });
    try {
      const { body } = await getToken(short);
      expect(body.expires_in).toBe(1);
      const call = () =>
        fetch(`${short.apiBaseUrl}/meetings/1`, { headers: { authorization: `Bearer ${body.access_token}` } });
      expect((await call()).status).toBe(404); // valid token, unknown meeting
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await call();
      expect(expired.status).toBe(401);
      expect(await expired.json()).toEqual({ code: 124, message: 'Access token is expired.' });
    } finally {
      await short.stop();
    }
  });
});

describe('bearer check', () => {
  it('answers 401 code 124 without a valid token', async () => {
    const before = em.stats().unauthorized;
    for (const bearer of [null, 'not-a-token']) {
      const res = await api('GET', '/meetings/123', undefined, bearer);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: 124, message: 'Invalid access token.' });
    }
    expect(em.stats().unauthorized).toBe(before + 2);
  });
});

describe('meetings', () => {
  it('creates and reads a meeting in Zoom shape', async () => {
    const m = await createMeeting({ approval_type: 0, waiting_room: true });
    expect(m).toMatchObject({
      id: expect.any(Number),
      uuid: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
      host_id: expect.any(String),
      host_email: em.hostEmail,
      topic: 'Final exam',
      type: 2,
      status: 'waiting',
      start_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      duration: 60,
      timezone: 'UTC',
      created_at: expect.any(String),
      join_url: expect.stringContaining(`/j/${m.id}`),
      registration_url: expect.any(String),
      settings: expect.objectContaining({ approval_type: 0, waiting_room: true }),
    });
    expect(String(m.id)).toMatch(/^\d{11}$/);
    const got = await api('GET', `/meetings/${m.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(m);
  });

  it('leaves registration_url out when registration is off; 404s unknown meetings and users', async () => {
    const m = await createMeeting({});
    expect(m.registration_url).toBeUndefined();
    const missing = await api('GET', '/meetings/12345678901');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe(3001);
    const user = await api('POST', '/users/someone@else.test/meetings', { topic: 'x' });
    expect(user.status).toBe(404);
    expect(user.body.code).toBe(1001);
    const byEmail = await api('POST', `/users/${encodeURIComponent(em.hostEmail)}/meetings`, { topic: 'x' });
    expect(byEmail.status).toBe(201);
  });
});

describe('registrants', () => {
  it('registers one person, and gives the same registration back for the same email', async () => {
    const m = await createMeeting();
    const first = await api('POST', `/meetings/${m.id}/registrants`, {
      email: 'ana@example.test',
      first_name: 'Ana',
      last_name: 'Lima',
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: m.id,
      registrant_id: expect.any(String),
      join_url: expect.stringContaining(`/w/${m.id}?tk=`),
      participant_pin_code: expect.any(Number),
      start_time: m.start_time,
      topic: 'Final exam',
      occurrences: [],
    });
    const again = await api('POST', `/meetings/${m.id}/registrants`, { email: 'ANA@example.test', first_name: 'A' });
    expect(again.status).toBe(201);
    expect(again.body.registrant_id).toBe(first.body.registrant_id);
    expect(again.body.join_url).toBe(first.body.join_url);
  });

  it('refuses invalid bodies and meetings without registration', async () => {
    const m = await createMeeting();
    const bad = await api('POST', `/meetings/${m.id}/registrants`, { first_name: 'No email' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 300, message: 'Validation Failed.', errors: [{ field: 'email' }] });
    const open = await createMeeting({});
    const refused = await api('POST', `/meetings/${open.id}/registrants`, { email: 'a@b.test', first_name: 'A' });
    expect(refused.status).toBe(404);
    expect(refused.body).toEqual({
      code: 404,
      message: `Registration has not been enabled for this meeting: ${open.id}.`,
    });
  });

  it('batch-registers at most 30 and lists registrants page by page', async () => {
    const m = await createMeeting();
    const people = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({ email: `s${from + i}@example.test`, first_name: `S${from + i}` }));
    const tooMany = await api('POST', `/meetings/${m.id}/batch_registrants`, { registrants: people(31) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe(300);

    const batch = await api('POST', `/meetings/${m.id}/batch_registrants`, {
      auto_approve: true,
      registrants: people(30),
    });
    expect(batch.status).toBe(201);
    expect(batch.body.registrants).toHaveLength(30);
    expect(batch.body.registrants[0]).toEqual({
      email: 's0@example.test',
      registrant_id: expect.any(String),
      participant_pin_code: expect.any(Number),
      join_url: expect.any(String),
    });
    const extra = await api('POST', `/meetings/${m.id}/batch_registrants`, { registrants: [...people(2, 29)] });
    expect(extra.body.registrants[0].registrant_id).toBe(batch.body.registrants[29].registrant_id);

    const page1 = await api('GET', `/meetings/${m.id}/registrants?status=approved&page_size=30`);
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ page_size: 30, total_records: 31, page_count: 2 });
    expect(page1.body.registrants).toHaveLength(30);
    expect(page1.body.registrants[0]).toMatchObject({
      id: batch.body.registrants[0].registrant_id,
      email: 's0@example.test',
      first_name: 'S0',
      last_name: '',
      status: 'approved',
      create_time: expect.any(String),
      join_url: batch.body.registrants[0].join_url,
    });
    expect(page1.body.next_page_token).not.toBe('');
    const page2 = await api(
      'GET',
      `/meetings/${m.id}/registrants?page_size=30&next_page_token=${page1.body.next_page_token}`,
    );
    expect(page2.body.registrants.map((r: any) => r.email)).toEqual(['s30@example.test']);
    expect(page2.body.next_page_token).toBe('');
    const badToken = await api('GET', `/meetings/${m.id}/registrants?next_page_token=nope`);
    expect(badToken.status).toBe(400);
    expect(badToken.body.code).toBe(300);
  });

  it('keeps registrations pending under manual approval', async () => {
    const m = await createMeeting({ approval_type: 1 });
    await api('POST', `/meetings/${m.id}/registrants`, { email: 'p@example.test', first_name: 'P' });
    const approved = await api('GET', `/meetings/${m.id}/registrants`);
    expect(approved.body.total_records).toBe(0);
    const pending = await api('GET', `/meetings/${m.id}/registrants?status=pending`);
    expect(pending.body.registrants.map((r: any) => r.status)).toEqual(['pending']);
  });
});

describe('participant report over a generated 1,000-person meeting', () => {
  let meetingId: number;
  let truth: ReturnType<ZoomEmulator['generate']>;

  beforeAll(async () => {
    meetingId = (await createMeeting()).id;
    truth = em.generate(meetingId, { participants: 1000, rejoinRate: 0.5, seed: 42 });
  });

  async function pageAll(ref: string, query: string) {
    const rows: any[] = [];
    const pages: any[] = [];
    let next = '';
    do {
      const res = await api(
        'GET',
        `/report/meetings/${ref}/participants?page_size=300&${query}${next ? `&next_page_token=${next}` : ''}`,
      );
      expect(res.status).toBe(200);
      pages.push(res.body);
      rows.push(...res.body.participants);
      next = res.body.next_page_token;
    } while (next);
    return { rows, pages };
  }

  it('pages 300 at a time: one entry per segment, "" token at the end, union = report()', async () => {
    const { rows, pages } = await pageAll(String(meetingId), 'include_fields=registrant_id');
    const segments = truth.people.reduce((n, p) => n + p.segments.length, 0);
    expect(truth.totalSegments).toBe(segments);
    expect(segments).toBeGreaterThan(1000);
    expect(pages).toHaveLength(Math.ceil(segments / 300));
    for (const p of pages) {
      expect(p).toMatchObject({ page_size: 300, total_records: segments, page_count: pages.length });
    }
    expect(pages.at(-1).next_page_token).toBe('');
    expect(pages.slice(0, -1).every((p) => p.next_page_token !== '')).toBe(true);
    expect(rows).toEqual(em.report(meetingId));
    expect(rows[0]).toEqual({
      id: expect.any(String),
      user_id: expect.stringMatching(/^\d+$/),
      name: expect.any(String),
      user_email: expect.any(String),
      join_time: expect.stringMatching(/Z$/),
      leave_time: expect.stringMatching(/Z$/),
      duration: expect.any(Number),
      failover: false,
      status: 'in_meeting',
      customer_key: '',
      registrant_id: expect.any(String),
      ...(rows[0].participant_user_id ? { participant_user_id: rows[0].participant_user_id } : {}),
    });
  });

  it('matches the ground truth person by person (guests have an empty id)', async () => {
    const rows = em.report(meetingId) as unknown as ReportRow[];
    const byName = new Map<string, Array<[string, string]>>();
    for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), [r.join_time, r.leave_time]]);
    for (const p of truth.people) expect(byName.get(p.name)).toEqual(p.segments);
    const guests = truth.people.filter((p) => !p.userId);
    expect(guests.length).toBeGreaterThan(0);
    expect(truth.people.some((p) => !p.email)).toBe(true);
    expect(truth.people.some((p) => p.registrantId)).toBe(true);
    for (const r of rows) {
      const p = truth.people.find((x) => x.name === r.name)!;
      expect(r.id).toBe(p.userId ?? '');
      expect(r.user_email).toBe(p.email ?? '');
      expect(r.registrant_id).toBe(p.registrantId ?? '');
      expect(r.duration).toBe((Date.parse(r.leave_time) - Date.parse(r.join_time)) / 1000);
    }
    expect(rows.filter((r: any) => r.user_email === '').length).toBeGreaterThan(0);
  });

  it('returns registrant_id only with include_fields=registrant_id', async () => {
    const res = await api('GET', `/report/meetings/${meetingId}/participants?page_size=5`);
    expect(res.body.participants[0]).not.toHaveProperty('registrant_id');
    expect(res.body.page_size).toBe(5);
    const capped = await api('GET', `/report/meetings/${meetingId}/participants?page_size=1000`);
    expect(capped.body.page_size).toBe(300);
    const dflt = await api('GET', `/report/meetings/${meetingId}/participants`);
    expect(dflt.body.participants).toHaveLength(30);
  });

  it('finds the instance by UUID (double-encoded) and past_meetings pages the same segments', async () => {
    const doubled = encodeURIComponent(encodeURIComponent(truth.uuid));
    const byUuid = await api('GET', `/report/meetings/${doubled}/participants?page_size=1`);
    expect(byUuid.status).toBe(200);
    expect(byUuid.body.total_records).toBe(truth.totalSegments);
    const past = await api('GET', `/past_meetings/${doubled}/participants?page_size=300`);
    expect(past.status).toBe(200);
    expect(past.body.total_records).toBe(truth.totalSegments);
    expect(past.body.participants[0]).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      user_id: expect.any(String),
      registrant_id: expect.any(String),
      user_email: expect.any(String),
      join_time: expect.any(String),
      leave_time: expect.any(String),
      duration: expect.any(Number),
      failover: false,
      status: 'in_meeting',
      internal_user: expect.any(Boolean),
    });
  });
});

describe('meeting UUIDs in paths', () => {
  it('needs double encoding for UUIDs that start with "/" or contain "//"', async () => {
    const m = await createMeeting();
    const uuid = '/ab//cdEFghIJklMNopQR+w==';
    em.generate(m.id, { participants: 3, rejoinRate: 0, seed: 7, uuid });
    const twice = await api('GET', `/past_meetings/${encodeURIComponent(encodeURIComponent(uuid))}/participants`);
    expect(twice.status).toBe(200);
    expect(twice.body.total_records).toBe(3);
    const once = await api('GET', `/past_meetings/${encodeURIComponent(uuid)}/participants`);
    expect(once.status).toBe(404);
    expect(once.body.code).toBe(3001);
    const plain = 'abCDefGHijKLmnOP/qrs+w==';
    const m2 = await createMeeting();
    em.generate(m2.id, { participants: 2, rejoinRate: 0, seed: 8, uuid: plain });
    const single = await api('GET', `/report/meetings/${encodeURIComponent(plain)}/participants`);
    expect(single.body.total_records).toBe(2);
  });

  it('answers 3001 for meetings that have not ended', async () => {
    const m = await createMeeting();
    const res = await api('GET', `/report/meetings/${m.id}/participants`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe(3001);
  });
});

describe('rate limiting', () => {
  it('answers every Nth report/past_meetings request with 429, with and without Retry-After', async () => {
    const m = await createMeeting();
    em.generate(m.id, { participants: 2, rejoinRate: 0, seed: 1 });
    const before = em.stats().rateLimited;
    em.setRateLimit({ every: 3, retryAfterSeconds: 2 });
    try {
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<typeof api>> | undefined;
      for (let i = 0; i < 6; i++) {
        const res = await api('GET', `/report/meetings/${m.id}/participants`);
        statuses.push(res.status);
        if (res.status === 429) limited ??= res;
      }
      expect(statuses).toEqual([200, 200, 429, 200, 200, 429]);
      expect(limited!.body).toEqual({
        code: 429,
        message: 'You have reached the maximum per-second rate limit for this API. Try again later.',
      });
      expect(limited!.headers.get('retry-after')).toBe('2');
      expect(limited!.headers.get('x-ratelimit-category')).toBe('Heavy');
      expect(limited!.headers.get('x-ratelimit-type')).toBe('QPS');
      expect(limited!.headers.get('x-ratelimit-remaining')).toBe('0');

      em.setRateLimit({ every: 2, retryAfterSeconds: null });
      expect((await api('GET', `/past_meetings/${m.id}/participants`)).status).toBe(200);
      const noHeader = await api('GET', `/past_meetings/${m.id}/participants`);
      expect(noHeader.status).toBe(429);
      expect(noHeader.headers.get('retry-after')).toBeNull();
      // other routes are never limited
      for (let i = 0; i < 3; i++) expect((await api('GET', `/meetings/${m.id}`)).status).toBe(200);
      expect(em.stats().rateLimited).toBe(before + 3);
      expect(em.stats().requests['GET /v2/past_meetings/{meetingId}/participants']).toBeGreaterThanOrEqual(2);
    } finally {
      em.setRateLimit(null);
    }
  });
});

describe('webhooks', () => {
  it('plays a meeting: signed events in order, documented fields, statuses recorded', async () => {
    const m = await createMeeting();
    const reg = await api('POST', `/meetings/${m.id}/registrants`, { email: 'reg@example.test', first_name: 'Reg' });
    const t0 = new Date('2030-01-01T09:00:00Z');
    const start = await em.startMeeting(m.id, t0);
    expect(start.uuid).toBe(m.uuid);
    const who = await em.join(
      m.id,
      { name: 'Reg Istered', registrantId: reg.body.registrant_id },
      new Date(+t0 + 5000),
    );
    expect(who).toMatchObject({ user_id: '16778240', id: '', registrant_id: reg.body.registrant_id });
    await em.join(m.id, { name: 'Guest' }, new Date(+t0 + 6000));
    const live = await api('GET', `/metrics/meetings/${m.id}/participants?type=live`);
    expect(live.status).toBe(200);
    expect(live.body.participants.map((p: any) => p.user_name)).toEqual(['Reg Istered', 'Guest']);
    expect(live.body.participants[0]).toMatchObject({ id: '', user_id: '16778240', email: 'reg@example.test' });
    expect(live.body.participants[0]).not.toHaveProperty('leave_time');
    await em.leave(m.id, 'Guest', new Date(+t0 + 60_000));
    await em.join(m.id, { name: 'Guest' }, new Date(+t0 + 70_000));
    const deliveries = await em.endMeeting(m.id, new Date(+t0 + 120_000));
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);

    const bodies = receiver.received.map((r) => JSON.parse(r.raw.toString('utf8')));
    expect(bodies.map((b) => b.event)).toEqual([
      'meeting.started',
      'meeting.participant_joined',
      'meeting.participant_joined',
      'meeting.participant_left',
      'meeting.participant_joined',
      'meeting.participant_left',
      'meeting.participant_left',
      'meeting.ended',
    ]);
    for (const r of receiver.received) {
      expect(verify(r, CREDS.webhookSecret)).toBe(true);
      expect(verify(r, 'another-secret')).toBe(false);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toBe('Zoom Marketplace/1.0a');
      expect(Math.abs(Number(r.headers['x-zm-request-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
      expect(r.headers['x-zm-signature']).toBe(
        signWebhook(CREDS.webhookSecret, String(r.headers['x-zm-request-timestamp']), r.raw),
      );
    }
    const meetingObject = {
      id: String(m.id),
      uuid: m.uuid,
      host_id: m.host_id,
      topic: 'Final exam',
      type: 2,
      start_time: '2030-01-01T09:00:00Z',
      timezone: 'UTC',
      duration: 60,
    };
    expect(bodies[0]).toEqual({
      event: 'meeting.started',
      payload: { account_id: CREDS.accountId, object: meetingObject },
      event_ts: t0.getTime(),
    });
    expect(bodies[1].payload.object).toEqual({
      ...meetingObject,
      participant: {
        user_id: '16778240',
        user_name: 'Reg Istered',
        id: '',
        participant_uuid: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/),
        join_time: '2030-01-01T09:00:05Z',
        email: 'reg@example.test',
        registrant_id: reg.body.registrant_id,
        participant_user_id: '',
      },
    });
    expect(bodies[2].payload.object.participant).not.toHaveProperty('registrant_id');
    expect(bodies[3].payload.object.participant).toEqual({
      user_id: '16779264',
      user_name: 'Guest',
      id: '',
      participant_uuid: bodies[2].payload.object.participant.participant_uuid,
      leave_time: '2030-01-01T09:01:00Z',
      leave_reason: 'left the meeting. Reason : left the meeting',
      email: '',
      registrant_id: '',
      participant_user_id: '',
    });
    // A rejoin is a new user_id but the same participant_uuid.
    expect(bodies[4].payload.object.participant.user_id).toBe('16780288');
    expect(bodies[4].payload.object.participant.participant_uuid).toBe(
      bodies[2].payload.object.participant.participant_uuid,
    );
    expect(bodies[5].payload.object.participant.leave_reason).toBe(
      'left the meeting. Reason : Host ended the meeting.',
    );
    expect(bodies[7].payload.object).toEqual({ ...meetingObject, end_time: '2030-01-01T09:02:00Z' });

    const report = em.report(m.id);
    expect(report.map((r) => [r.name, r.join_time, r.leave_time, r.duration])).toEqual([
      ['Reg Istered', '2030-01-01T09:00:05Z', '2030-01-01T09:02:00Z', 115],
      ['Guest', '2030-01-01T09:00:06Z', '2030-01-01T09:01:00Z', 54],
      ['Guest', '2030-01-01T09:01:10Z', '2030-01-01T09:02:00Z', 50],
    ]);
  });

  it('records what the receiver answered and does not retry', async () => {
    const failing = await startReceiver(() => ({ status: 500 }));
    const m = await createMeeting();
    em.setWebhookUrl(failing.url);
    const failedBefore = em.stats().webhooksFailed;
    try {
      const { delivery } = await em.startMeeting(m.id);
      expect(delivery.status).toBe(500);
      expect(em.stats().webhooksFailed).toBe(failedBefore + 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(failing.received).toHaveLength(1);
    } finally {
      em.setWebhookUrl(receiver.url);
      await failing.close();
    }
    await em.endMeeting(m.id);
  });

  it('does the endpoint.url_validation round trip', async () => {
    expect(await em.validateEndpoint()).toBe(true);
    const sent = JSON.parse(receiver.received.at(-1)!.raw.toString('utf8'));
    expect(sent).toEqual({
      payload: { plainToken: expect.any(String) },
      event_ts: expect.any(Number),
      event: 'endpoint.url_validation',
    });
    expect(verify(receiver.received.at(-1)!, CREDS.webhookSecret)).toBe(true);

    const liar = await startReceiver((b) => ({
      status: 200,
      body: { plainToken: b.payload.plainToken, encryptedToken: 'x' },
    }));
    em.setWebhookUrl(liar.url);
    try {
      expect(await em.validateEndpoint()).toBe(false);
    } finally {
      em.setWebhookUrl(receiver.url);
      await liar.close();
    }
  });
});

describe('playScript', () => {
  it('plays a timeline in real time divided by speed, stamping virtual times', async () => {
    const m = await createMeeting();
    const startAt = new Date('2030-02-01T10:00:00Z');
    const a = { name: 'Ana', email: 'ana@example.test' };
    const b = { name: 'Ben' };
    const began = performance.now();
    const deliveries = await em.playScript(
      m.id,
      [
        { atMs: 0, type: 'join', person: a },
        { atMs: 2000, type: 'join', person: b },
        { atMs: 5000, type: 'leave', person: a },
        { atMs: 10_000, type: 'leave', person: b },
      ],
      { speed: 100, startAt },
    );
    const elapsed = performance.now() - began;
    expect(deliveries.map((d) => d.event)).toEqual([
      'meeting.started',
      'meeting.participant_joined',
      'meeting.participant_joined',
      'meeting.participant_left',
      'meeting.participant_left',
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(95); // 10 s of script at 100x
    expect(elapsed).toBeLessThan(1500);
    const got = receiver.received.map((r) => ({ at: r.at, body: JSON.parse(r.raw.toString('utf8')) }));
    // The last leave is due 10 s of script (100 ms) after the start: it never arrives earlier
    // (a busy machine may delay the first deliveries, so gaps between arrivals can shrink).
    expect(got.at(-1)!.at - began).toBeGreaterThanOrEqual(95);
    expect(
      got.map((g) => g.body.payload.object.participant?.join_time ?? g.body.payload.object.participant?.leave_time),
    ).toEqual([
      undefined,
      '2030-02-01T10:00:00Z',
      '2030-02-01T10:00:02Z',
      '2030-02-01T10:00:05Z',
      '2030-02-01T10:00:10Z',
    ]);
    await em.endMeeting(m.id, new Date('2030-02-01T10:00:20Z'));
  });
});
