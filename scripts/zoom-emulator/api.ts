// The /v2 REST routes, in Zoom's documented shapes and error codes.
import { findInstanceByUuid, type Ctx } from './context.ts';
import {
  decodeMeetingRef,
  isReply,
  json,
  jsonBody,
  validationFailed,
  zoomError,
  type Reply,
  type Req,
} from './http.ts';
import { newMeetingNumber, newMeetingUuid, randomToken, zoomTime } from './ids.ts';
import { register, registrationErrors, type RegistrationInput } from './registrants.ts';
import {
  latestEndedInstance,
  liveInstance,
  meetingResource,
  metricsRow,
  pastRow,
  registrantRow,
  registrationEnabled,
  reportRow,
  type Instance,
  type Meeting,
} from './state.ts';

export interface Route {
  method: string;
  /** Raw-segment pattern, ':' marks a parameter. */
  pattern: string;
  /** Key in stats().requests, written the way Zoom's reference writes the path. */
  name: string;
  /** Heavy/Medium routes the rateLimit option applies to. */
  rateLimitCategory?: 'Heavy' | 'Medium';
  handle: (ctx: Ctx, req: Req, params: Record<string, string>) => Reply;
}

const SETTINGS_DEFAULTS: Record<string, unknown> = {
  host_video: false,
  participant_video: false,
  join_before_host: false,
  jbh_time: 0,
  mute_upon_entry: false,
  watermark: false,
  use_pmi: false,
  approval_type: 2,
  audio: 'voip',
  auto_recording: 'none',
  waiting_room: false,
  meeting_authentication: false,
  registrants_confirmation_email: true,
  registrants_email_notification: true,
  alternative_hosts: '',
  meeting_invitees: [],
};

function meetingById(ctx: Ctx, raw: string): Meeting | undefined {
  const ref = decodeMeetingRef(raw);
  return ref.kind === 'id' ? ctx.meetings.get(ref.id) : undefined;
}

/** The path value as the caller meant it, for error messages. */
function shown(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const meetingDoesNotExist = (raw: string) => zoomError(404, 3001, `Meeting does not exist: ${shown(raw)}.`);
const registrationDisabled = (m: Meeting) =>
  zoomError(404, 404, `Registration has not been enabled for this meeting: ${m.id}.`);

/** A meeting id means its latest instance of the wanted kind; a UUID means exactly that instance. */
function resolveInstance(
  ctx: Ctx,
  raw: string,
  want: 'ended' | 'live',
): { meeting: Meeting; instance: Instance } | undefined {
  const ref = decodeMeetingRef(raw);
  if (ref.kind === 'id') {
    const meeting = ctx.meetings.get(ref.id);
    const instance = meeting && (want === 'ended' ? latestEndedInstance(meeting) : liveInstance(meeting));
    return meeting && instance ? { meeting, instance } : undefined;
  }
  if (ref.kind === 'uuid') {
    const found = findInstanceByUuid(ctx, ref.uuid);
    if (!found) return undefined;
    const ended = found.instance.endedAt !== null;
    return (want === 'ended') === ended ? found : undefined;
  }
  return undefined;
}

/** Validates a create-meeting body and stores the meeting; a Reply when the body is refused. */
export function createMeetingFromBody(ctx: Ctx, body: Record<string, unknown>): Meeting | Reply {
  const type = body.type === undefined ? 2 : Number(body.type);
  if (![1, 2, 3, 8].includes(type)) return validationFailed([{ field: 'type', message: 'Invalid field.' }]);
  let startTime = new Date();
  if (body.start_time !== undefined) {
    const parsed = typeof body.start_time === 'string' ? new Date(body.start_time) : new Date(NaN);
    if (Number.isNaN(parsed.getTime())) return validationFailed([{ field: 'start_time', message: 'Invalid field.' }]);
    if (type !== 1) startTime = parsed;
  }
  const settings = { ...SETTINGS_DEFAULTS, ...((body.settings as Record<string, unknown> | undefined) ?? {}) };
  let id = newMeetingNumber();
  while (ctx.meetings.has(id)) id = newMeetingNumber();
  const meeting: Meeting = {
    id,
    uuid: newMeetingUuid(),
    hostId: ctx.host.id,
    hostEmail: ctx.host.email,
    topic: typeof body.topic === 'string' ? body.topic : 'Zoom Meeting',
    type,
    agenda: typeof body.agenda === 'string' ? body.agenda : '',
    startTime: zoomTime(startTime),
    duration: typeof body.duration === 'number' ? body.duration : 60,
    timezone: typeof body.timezone === 'string' ? body.timezone : 'UTC',
    createdAt: zoomTime(new Date()),
    password: typeof body.password === 'string' ? body.password : randomToken(4).slice(0, 6),
    encryptedPassword: randomToken(24),
    settings,
    registrants: [],
    instances: [],
  };
  ctx.meetings.set(id, meeting);
  return meeting;
}

function createMeeting(ctx: Ctx, req: Req, params: Record<string, string>): Reply {
  const userId = shown(params.userId!);
  const isHost = userId === 'me' || userId === ctx.host.id || userId.toLowerCase() === ctx.host.email.toLowerCase();
  if (!isHost) return zoomError(404, 1001, `User ${userId} not exist or not belong to this account.`);
  const body = jsonBody(req);
  if (isReply(body)) return body;
  const meeting = createMeetingFromBody(ctx, body);
  if (isReply(meeting)) return meeting;
  return json(201, meetingResource(meeting, ctx.origin));
}

function getMeeting(ctx: Ctx, _req: Req, params: Record<string, string>): Reply {
  const m = meetingById(ctx, params.meetingId!);
  if (!m) return zoomError(404, 3001, `Meeting ${shown(params.meetingId!)} is not found or has expired.`);
  return json(200, meetingResource(m, ctx.origin));
}

function approvedOnRegistration(m: Meeting, autoApprove: unknown): boolean {
  return m.settings.approval_type === 0 || autoApprove === true;
}

function addRegistrant(ctx: Ctx, req: Req, params: Record<string, string>): Reply {
  const m = meetingById(ctx, params.meetingId!);
  if (!m) return meetingDoesNotExist(params.meetingId!);
  if (!registrationEnabled(m)) return registrationDisabled(m);
  const body = jsonBody(req);
  if (isReply(body)) return body;
  const errors = registrationErrors(body);
  if (errors.length) return validationFailed(errors);
  const input = body as unknown as RegistrationInput;
  const { registrant } = register(m, ctx.origin, input, approvedOnRegistration(m, body.auto_approve), new Date());
  return json(201, {
    id: m.id,
    join_url: registrant.join_url,
    registrant_id: registrant.id,
    start_time: m.startTime,
    topic: m.topic,
    occurrences: [],
    participant_pin_code: registrant.participant_pin_code,
  });
}

function batchRegistrants(ctx: Ctx, req: Req, params: Record<string, string>): Reply {
  const m = meetingById(ctx, params.meetingId!);
  if (!m) return meetingDoesNotExist(params.meetingId!);
  const body = jsonBody(req);
  if (isReply(body)) return body;
  const list = body.registrants;
  if (!Array.isArray(list) || list.length === 0) {
    return validationFailed([{ field: 'registrants', message: 'Invalid field.' }]);
  }
  if (list.length > 30) {
    return validationFailed([{ field: 'registrants', message: 'The maximum number of registrants per call is 30.' }]);
  }
  const errors = list.flatMap((r, i) => registrationErrors(r, `registrants[${i}].`));
  if (errors.length) return validationFailed(errors);
  if (!registrationEnabled(m)) return registrationDisabled(m);
  if (m.type !== 2) {
    return zoomError(
      400,
      303,
      'This API can only be used for scheduled meeting(meeting type: 2). Batch registration is not supported for other meeting types.',
    );
  }
  if (latestEndedInstance(m)) {
    return zoomError(
      400,
      3038,
      'Meeting is over, you can not register now. If you have any questions, please contact the Meeting host.',
    );
  }
  const approved = approvedOnRegistration(m, body.auto_approve);
  const now = new Date();
  const registrants = (list as RegistrationInput[]).map((input) => {
    const { registrant } = register(m, ctx.origin, input, approved, now);
    return {
      registrant_id: registrant.id,
      email: registrant.email,
      participant_pin_code: registrant.participant_pin_code,
      join_url: registrant.join_url,
    };
  });
  return json(201, { registrants });
}

function listRegistrants(ctx: Ctx, req: Req, params: Record<string, string>): Reply {
  const m = meetingById(ctx, params.meetingId!);
  if (!m) return meetingDoesNotExist(params.meetingId!);
  if (!registrationEnabled(m)) return registrationDisabled(m);
  const status = req.query.get('status') ?? 'approved';
  if (!['approved', 'pending', 'denied'].includes(status)) {
    return validationFailed([{ field: 'status', message: 'Invalid field.' }]);
  }
  const rows = m.registrants.filter((r) => r.status === status);
  const page = ctx.pager.page(`registrants:${m.id}:${status}`, rows, req.query);
  if (isReply(page)) return page;
  return json(200, { ...page.meta, registrants: page.items.map(registrantRow) });
}

function reportParticipants(ctx: Ctx, req: Req, params: Record<string, string>): Reply {
  const found = resolveInstance(ctx, params.meetingId!, 'ended');
  if (!found) {
    return zoomError(404, 3001, `Meeting ${shown(params.meetingId!)} not found or has expired.`);
  }
  // Zoom only returns registrant_id when asked with include_fields=registrant_id.
  const withRegistrant = (req.query.get('include_fields') ?? '').split(',').includes('registrant_id');
  const page = ctx.pager.page(`report:${found.instance.uuid}`, found.instance.segments, req.query);
  if (isReply(page)) return page;
  return json(200, { ...page.meta, participants: page.items.map((s) => reportRow(s, withRegistrant)) });
}

function pastParticipants(ctx: Ctx, req: Req, params: Record<string, string>): Reply {
  const found = resolveInstance(ctx, params.meetingId!, 'ended');
  if (!found) return zoomError(404, 3001, 'Meeting ID is invalid or not end.');
  const page = ctx.pager.page(`past:${found.instance.uuid}`, found.instance.segments, req.query);
  if (isReply(page)) return page;
  return json(200, { ...page.meta, participants: page.items.map(pastRow) });
}

function metricsParticipants(ctx: Ctx, req: Req, params: Record<string, string>): Reply {
  const type = req.query.get('type') ?? 'live';
  if (type !== 'live' && type !== 'past') return validationFailed([{ field: 'type', message: 'Invalid field.' }]);
  const found = resolveInstance(ctx, params.meetingId!, type === 'live' ? 'live' : 'ended');
  if (!found) {
    return zoomError(404, 3001, `Meeting ${shown(params.meetingId!)} not found or has expired.`);
  }
  // Zoom documents registrant_id as unsupported for live meetings.
  const withRegistrant =
    type === 'past' && (req.query.get('include_fields') ?? '').split(',').includes('registrant_id');
  const page = ctx.pager.page(`metrics:${type}:${found.instance.uuid}`, found.instance.segments, req.query);
  if (isReply(page)) return page;
  return json(200, { ...page.meta, participants: page.items.map((s) => metricsRow(s, withRegistrant)) });
}

export const routes: Route[] = [
  {
    method: 'POST',
    pattern: 'v2/users/:userId/meetings',
    name: 'POST /v2/users/{userId}/meetings',
    handle: createMeeting,
  },
  { method: 'GET', pattern: 'v2/meetings/:meetingId', name: 'GET /v2/meetings/{meetingId}', handle: getMeeting },
  {
    method: 'POST',
    pattern: 'v2/meetings/:meetingId/registrants',
    name: 'POST /v2/meetings/{meetingId}/registrants',
    handle: addRegistrant,
  },
  {
    method: 'GET',
    pattern: 'v2/meetings/:meetingId/registrants',
    name: 'GET /v2/meetings/{meetingId}/registrants',
    handle: listRegistrants,
  },
  {
    method: 'POST',
    pattern: 'v2/meetings/:meetingId/batch_registrants',
    name: 'POST /v2/meetings/{meetingId}/batch_registrants',
    handle: batchRegistrants,
  },
  {
    method: 'GET',
    pattern: 'v2/report/meetings/:meetingId/participants',
    name: 'GET /v2/report/meetings/{meetingId}/participants',
    rateLimitCategory: 'Heavy',
    handle: reportParticipants,
  },
  {
    method: 'GET',
    pattern: 'v2/past_meetings/:meetingId/participants',
    name: 'GET /v2/past_meetings/{meetingId}/participants',
    rateLimitCategory: 'Medium',
    handle: pastParticipants,
  },
  {
    method: 'GET',
    pattern: 'v2/metrics/meetings/:meetingId/participants',
    name: 'GET /v2/metrics/meetings/{meetingId}/participants',
    handle: metricsParticipants,
  },
];
