// A local stand-in for Zoom: Server-to-Server OAuth, the REST routes the product uses, and signed
// webhooks, driven by "playing" meetings (start, join, leave, end) or generating finished ones.
// No process-global side effects: the product's `npm start` and tests import startZoomEmulator.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { emptyStats, findInstanceByUuid, type Ctx, type EmulatorStats, type RateLimitOptions } from './context.ts';
import { controlRoutes } from './control.ts';
import { generateMeeting, type GenerateOptions, type GeneratedMeeting } from './generate.ts';
import { createMeetingFromBody } from './api.ts';
import { isReply, Pager } from './http.ts';
import { newZoomId, zoomTime } from './ids.ts';
import { requestListener } from './server.ts';
import {
  identityOf,
  joinedParticipant,
  latestEndedInstance,
  leftParticipant,
  liveInstance,
  meetingResource,
  newInstance,
  openSegment,
  reportRow,
  webhookMeetingObject,
  type Instance,
  type Meeting,
  type Person,
  type Segment,
} from './state.ts';
import { deliverWebhook, validateEndpoint, type WebhookDelivery } from './webhooks.ts';

export type { EmulatorStats, RateLimitOptions } from './context.ts';
export type { GenerateOptions, GeneratedMeeting, GeneratedPerson } from './generate.ts';
export type { Person } from './state.ts';
export type { WebhookDelivery } from './webhooks.ts';

export interface ZoomEmulatorOptions {
  port?: number;
  host?: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  webhookUrl?: string;
  tokenTtlSeconds?: number;
  rateLimit?: RateLimitOptions | null;
  /** The account's one host user (answers to 'me', this email, or its id). */
  hostEmail?: string;
  /** Serve the unauthenticated /_emulator/* dev routes (the CLI turns them on). */
  controlRoutes?: boolean;
  /** Called with one line per HTTP request. */
  onRequest?: (line: string) => void;
}

export interface JoinResult {
  user_id: string;
  participant_uuid: string;
  /** Zoom user id for signed-in people, '' for guests. */
  id: string;
  registrant_id: string;
  delivery: WebhookDelivery;
}

export interface ScriptEvent {
  atMs: number;
  type: 'join' | 'leave';
  person: Person;
}

export interface ZoomEmulator {
  url: string;
  oauthTokenUrl: string;
  apiBaseUrl: string;
  accountId: string;
  hostEmail: string;
  stop(): Promise<void>;
  stats(): EmulatorStats;
  setRateLimit(rateLimit: RateLimitOptions | null): void;
  setWebhookUrl(url: string | undefined): void;
  /** Same as POST /v2/users/me/meetings, without HTTP. */
  createMeeting(body?: Record<string, unknown>): Record<string, unknown>;
  startMeeting(
    meetingId: number | string,
    at?: Date,
    opts?: { uuid?: string },
  ): Promise<{ uuid: string; delivery: WebhookDelivery }>;
  join(meetingId: number | string, person: Person, at?: Date): Promise<JoinResult>;
  /** personKey: participant_uuid, user_id, Zoom user id, registrant id, email, name, or the Person. */
  leave(meetingId: number | string, personKey: string | Person, at?: Date, reason?: string): Promise<WebhookDelivery>;
  /** Everyone still in leaves ("Host ended the meeting."), then meeting.ended. */
  endMeeting(meetingId: number | string, at?: Date): Promise<WebhookDelivery[]>;
  playScript(
    meetingId: number | string,
    events: ScriptEvent[],
    opts?: { speed?: number; startAt?: Date },
  ): Promise<WebhookDelivery[]>;
  generate(meetingId: number | string, opts: GenerateOptions): GeneratedMeeting;
  /** Every row the report endpoint pages over (with registrant_id), for a meeting id or instance UUID. */
  report(meetingIdOrUuid: number | string): Array<Record<string, unknown>>;
  validateEndpoint(): Promise<boolean>;
  webhookDeliveries(): WebhookDelivery[];
}

function normalizeRateLimit(rl: RateLimitOptions | null | undefined): Ctx['rateLimit'] {
  if (!rl || !rl.every) return null;
  return { every: rl.every, retryAfterSeconds: rl.retryAfterSeconds === undefined ? 1 : rl.retryAfterSeconds };
}

function leaveReason(reason: string | undefined): string {
  const r = reason ?? 'left the meeting';
  return r.startsWith('left the meeting. Reason :') ? r : `left the meeting. Reason : ${r}`;
}

export async function startZoomEmulator(opts: ZoomEmulatorOptions): Promise<ZoomEmulator> {
  const hostEmail = opts.hostEmail ?? 'host@exam-hall.test';
  const ctx: Ctx = {
    origin: '',
    accountId: opts.accountId,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    webhookSecret: opts.webhookSecret,
    webhookUrl: opts.webhookUrl,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 3599,
    host: { id: newZoomId(), email: hostEmail },
    meetings: new Map(),
    tokens: new Map(),
    pager: new Pager(),
    stats: emptyStats(),
    rateLimit: normalizeRateLimit(opts.rateLimit),
    rateLimitCounter: 0,
  };
  const deliveries: WebhookDelivery[] = [];

  function meeting(meetingId: number | string): Meeting {
    const m = ctx.meetings.get(Number(meetingId));
    if (!m) throw new Error(`no meeting ${meetingId}`);
    return m;
  }

  function live(m: Meeting): Instance {
    const inst = liveInstance(m);
    if (!inst) throw new Error(`meeting ${m.id} is not in progress`);
    return inst;
  }

  async function send(event: string, at: Date, object: Record<string, unknown>): Promise<WebhookDelivery> {
    const body = { event, payload: { account_id: ctx.accountId, object }, event_ts: at.getTime() };
    const d = await deliverWebhook(ctx.webhookUrl, ctx.webhookSecret, body);
    deliveries.push(d);
    if (d.status !== null && d.status < 300) ctx.stats.webhooksSent++;
    else if (d.url) ctx.stats.webhooksFailed++;
    return d;
  }

  function createMeeting(body: Record<string, unknown> = {}): Record<string, unknown> {
    const m = createMeetingFromBody(ctx, body);
    if (isReply(m)) throw new Error(`create meeting refused: ${JSON.stringify(m.body)}`);
    return meetingResource(m, ctx.origin);
  }

  async function startMeeting(meetingId: number | string, at = new Date(), o: { uuid?: string } = {}) {
    const m = meeting(meetingId);
    if (liveInstance(m)) throw new Error(`meeting ${m.id} is already in progress`);
    // The UUID Zoom gave the meeting at creation belongs to its first instance; later runs get new ones.
    const inst = newInstance(o.uuid ?? (m.instances.length === 0 ? m.uuid : undefined), at);
    m.instances.push(inst);
    m.uuid = inst.uuid;
    const delivery = await send('meeting.started', at, webhookMeetingObject(m, inst));
    return { uuid: inst.uuid, delivery };
  }

  async function join(meetingId: number | string, person: Person, at = new Date()): Promise<JoinResult> {
    const m = meeting(meetingId);
    const inst = live(m);
    const p: Person = { ...person };
    if (p.registrantId) {
      const r = m.registrants.find((x) => x.id === p.registrantId);
      if (!r) throw new Error(`no registrant ${p.registrantId} on meeting ${m.id}`);
      p.email ??= r.email;
    }
    const key = identityOf(p);
    if (inst.segments.some((s) => !s.leaveTime && s.identity === key)) {
      throw new Error(`${p.name} is already in meeting ${m.id}`);
    }
    const seg = openSegment(inst, p, p.email ?? '', at);
    const delivery = await send('meeting.participant_joined', at, {
      ...webhookMeetingObject(m, inst),
      participant: joinedParticipant(seg),
    });
    return {
      user_id: seg.userId,
      participant_uuid: seg.participantUuid,
      id: seg.zoomUserId,
      registrant_id: seg.registrantId,
      delivery,
    };
  }

  function findLiveSegment(inst: Instance, personKey: string | Person): Segment {
    const open = inst.segments.filter((s) => !s.leaveTime);
    let found: Segment | undefined;
    if (typeof personKey === 'string') {
      const k = personKey.toLowerCase();
      found = open.find((s) =>
        [s.participantUuid, s.userId, s.zoomUserId, s.registrantId, s.email, s.name].some(
          (v) => v !== '' && v.toLowerCase() === k,
        ),
      );
    } else {
      const key = identityOf(personKey);
      found = open.find((s) => s.identity === key);
    }
    if (!found) throw new Error(`nobody matching ${JSON.stringify(personKey)} is in the meeting`);
    return found;
  }

  async function closeSegment(m: Meeting, inst: Instance, seg: Segment, at: Date, reason: string) {
    seg.leaveTime = at;
    seg.leaveReason = reason;
    return send('meeting.participant_left', at, {
      ...webhookMeetingObject(m, inst),
      participant: leftParticipant(seg),
    });
  }

  async function leave(meetingId: number | string, personKey: string | Person, at = new Date(), reason?: string) {
    const m = meeting(meetingId);
    const inst = live(m);
    return closeSegment(m, inst, findLiveSegment(inst, personKey), at, leaveReason(reason));
  }

  async function endMeeting(meetingId: number | string, at = new Date()): Promise<WebhookDelivery[]> {
    const m = meeting(meetingId);
    const inst = live(m);
    const out: WebhookDelivery[] = [];
    for (const seg of inst.segments.filter((s) => !s.leaveTime)) {
      out.push(await closeSegment(m, inst, seg, at, leaveReason('Host ended the meeting.')));
    }
    inst.endedAt = at;
    out.push(await send('meeting.ended', at, { ...webhookMeetingObject(m, inst), end_time: zoomTime(at) }));
    return out;
  }

  async function playScript(
    meetingId: number | string,
    events: ScriptEvent[],
    o: { speed?: number; startAt?: Date } = {},
  ): Promise<WebhookDelivery[]> {
    const speed = o.speed ?? 1;
    const wallStart = Date.now();
    // Event times are virtual (startAt + atMs) so durations look real even when played 100x faster.
    const base = (o.startAt ?? new Date(wallStart)).getTime();
    const m = meeting(meetingId);
    const out: WebhookDelivery[] = [];
    if (!liveInstance(m)) out.push((await startMeeting(meetingId, new Date(base))).delivery);
    const ordered = [...events].sort((a, b) => a.atMs - b.atMs);
    for (const ev of ordered) {
      const wait = wallStart + ev.atMs / speed - Date.now();
      if (wait > 0) await sleep(wait);
      const at = new Date(base + ev.atMs);
      if (ev.type === 'join') out.push((await join(meetingId, ev.person, at)).delivery);
      else out.push(await leave(meetingId, ev.person, at));
    }
    return out;
  }

  function generate(meetingId: number | string, o: GenerateOptions): GeneratedMeeting {
    const m = meeting(meetingId);
    return generateMeeting(m, ctx.origin, o);
  }

  function report(meetingIdOrUuid: number | string): Array<Record<string, unknown>> {
    let inst: Instance | undefined;
    if (typeof meetingIdOrUuid === 'number' || /^\d+$/.test(meetingIdOrUuid)) {
      inst = latestEndedInstance(meeting(meetingIdOrUuid));
    } else {
      inst = findInstanceByUuid(ctx, meetingIdOrUuid)?.instance;
      if (inst && !inst.endedAt) inst = undefined;
    }
    if (!inst) throw new Error(`no ended meeting ${meetingIdOrUuid}`);
    return inst.segments.map((s) => reportRow(s, true));
  }

  const api = { createMeeting, startMeeting, join, leave, endMeeting, generate, report, ctx };
  const control = opts.controlRoutes ? controlRoutes(api) : undefined;
  const server = createServer(requestListener(ctx, control, opts.onRequest));
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  ctx.origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: ctx.origin,
    oauthTokenUrl: `${ctx.origin}/oauth/token`,
    apiBaseUrl: `${ctx.origin}/v2`,
    accountId: ctx.accountId,
    hostEmail,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    stats: () => structuredClone(ctx.stats),
    setRateLimit: (rl) => {
      ctx.rateLimit = normalizeRateLimit(rl);
      ctx.rateLimitCounter = 0;
    },
    setWebhookUrl: (url) => {
      ctx.webhookUrl = url;
    },
    createMeeting,
    startMeeting,
    join,
    leave,
    endMeeting,
    playScript,
    generate,
    report,
    validateEndpoint: async () => {
      const d = await validateEndpoint(ctx.webhookUrl, ctx.webhookSecret);
      deliveries.push(d);
      return d.ok;
    },
    webhookDeliveries: () => [...deliveries],
  };
}
