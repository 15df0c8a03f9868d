// The emulator's in-memory Zoom account: meetings, their instances (one UUID per time the meeting
// ran), the participant segments of each instance, and registrants; plus the functions that render
// them in the shapes Zoom's REST API and webhooks use.
import { newMeetingUuid, newParticipantUuid, zoomTime, type Rng } from './ids.ts';

export interface Person {
  name: string;
  email?: string;
  registrantId?: string;
  /** A signed-in Zoom user's id; guests have none (Zoom then reports an empty `id`). */
  userId?: string;
}

export interface Registrant {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  status: 'approved' | 'pending' | 'denied';
  create_time: string;
  join_url: string;
  participant_pin_code: number;
}

/** One stay in the meeting: from a join to the matching leave. A rejoin starts a new segment. */
export interface Segment {
  /** Who this is (identityOf the person), to find their open segment again. */
  identity: string;
  /** Per-join participant id Zoom calls `user_id` ("16778240", "16779264", ...). */
  userId: string;
  participantUuid: string;
  /** The signed-in user's Zoom id, '' for guests. */
  zoomUserId: string;
  name: string;
  email: string;
  registrantId: string;
  joinTime: Date;
  leaveTime: Date | null;
  leaveReason: string | null;
}

export interface Instance {
  uuid: string;
  startedAt: Date;
  endedAt: Date | null;
  segments: Segment[];
  nextUserId: number;
  /** participant_uuid stays the same for a person across rejoins within an instance. */
  participantUuids: Map<string, string>;
}

export interface Meeting {
  id: number;
  uuid: string;
  hostId: string;
  hostEmail: string;
  topic: string;
  type: number;
  agenda: string;
  startTime: string;
  duration: number;
  timezone: string;
  createdAt: string;
  password: string;
  encryptedPassword: string;
  settings: Record<string, unknown>;
  registrants: Registrant[];
  instances: Instance[];
}

export const FIRST_USER_ID = 16778240;
export const USER_ID_STEP = 1024;

export function identityOf(p: Person): string {
  if (p.userId) return `user:${p.userId}`;
  if (p.registrantId) return `registrant:${p.registrantId}`;
  if (p.email) return `email:${p.email.toLowerCase()}`;
  return `name:${p.name}`;
}

export function newInstance(uuid: string | undefined, startedAt: Date, rng?: Rng): Instance {
  return {
    uuid: uuid ?? newMeetingUuid(rng),
    startedAt,
    endedAt: null,
    segments: [],
    nextUserId: FIRST_USER_ID,
    participantUuids: new Map(),
  };
}

export function liveInstance(m: Meeting): Instance | undefined {
  const last = m.instances.at(-1);
  return last && !last.endedAt ? last : undefined;
}

export function latestEndedInstance(m: Meeting): Instance | undefined {
  return m.instances.findLast((i) => i.endedAt);
}

export function registrationEnabled(m: Meeting): boolean {
  const approval = m.settings.approval_type;
  return m.type !== 1 && (approval === 0 || approval === 1);
}

/** Opens a segment for a person; the caller has checked they are not already in. */
export function openSegment(inst: Instance, p: Person, email: string, at: Date, rng?: Rng): Segment {
  const key = identityOf(p);
  let participantUuid = inst.participantUuids.get(key);
  if (!participantUuid) {
    participantUuid = newParticipantUuid(rng);
    inst.participantUuids.set(key, participantUuid);
  }
  const seg: Segment = {
    identity: key,
    userId: String(inst.nextUserId),
    participantUuid,
    zoomUserId: p.userId ?? '',
    name: p.name,
    email,
    registrantId: p.registrantId ?? '',
    joinTime: at,
    leaveTime: null,
    leaveReason: null,
  };
  inst.nextUserId += USER_ID_STEP;
  inst.segments.push(seg);
  return seg;
}

function seconds(from: Date, to: Date): number {
  return Math.round((Date.parse(zoomTime(to)) - Date.parse(zoomTime(from))) / 1000);
}

/** GET /meetings/{id} and the 201 of POST /users/{userId}/meetings. */
export function meetingResource(m: Meeting, origin: string): Record<string, unknown> {
  const live = liveInstance(m);
  const out: Record<string, unknown> = {
    uuid: m.uuid,
    id: m.id,
    host_id: m.hostId,
    host_email: m.hostEmail,
    topic: m.topic,
    type: m.type,
    status: live ? 'started' : 'waiting',
    start_time: m.startTime,
    duration: m.duration,
    timezone: m.timezone,
    agenda: m.agenda,
    created_at: m.createdAt,
    start_url: `${origin}/s/${m.id}?zak=emulated`,
    join_url: `${origin}/j/${m.id}?pwd=${m.encryptedPassword}`,
    password: m.password,
    h323_password: m.password,
    pstn_password: m.password,
    encrypted_password: m.encryptedPassword,
    settings: m.settings,
    pre_schedule: false,
  };
  if (registrationEnabled(m)) out.registration_url = `${origin}/meeting/register/${m.id}`;
  return out;
}

/** payload.object of meeting.* webhooks: the meeting id is a string there, unlike in REST. */
export function webhookMeetingObject(m: Meeting, inst: Instance): Record<string, unknown> {
  return {
    id: String(m.id),
    uuid: inst.uuid,
    host_id: m.hostId,
    topic: m.topic,
    type: m.type,
    start_time: zoomTime(inst.startedAt),
    timezone: m.timezone,
    duration: m.duration,
  };
}

export function joinedParticipant(s: Segment): Record<string, unknown> {
  const out: Record<string, unknown> = {
    user_id: s.userId,
    user_name: s.name,
    id: s.zoomUserId,
    participant_uuid: s.participantUuid,
    join_time: zoomTime(s.joinTime),
    email: s.email,
    participant_user_id: s.zoomUserId,
  };
  // Real participant_joined payloads omit registrant_id for people who did not register.
  if (s.registrantId) out.registrant_id = s.registrantId;
  return out;
}

export function leftParticipant(s: Segment): Record<string, unknown> {
  return {
    user_id: s.userId,
    user_name: s.name,
    id: s.zoomUserId,
    participant_uuid: s.participantUuid,
    leave_time: zoomTime(s.leaveTime!),
    leave_reason: s.leaveReason,
    email: s.email,
    registrant_id: s.registrantId,
    participant_user_id: s.zoomUserId,
  };
}

/** One row of GET /report/meetings/{id}/participants. */
export function reportRow(s: Segment, withRegistrantId: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.zoomUserId,
    user_id: s.userId,
    name: s.name,
    user_email: s.email,
    join_time: zoomTime(s.joinTime),
    leave_time: zoomTime(s.leaveTime!),
    duration: seconds(s.joinTime, s.leaveTime!),
    failover: false,
    status: 'in_meeting',
    customer_key: '',
  };
  if (withRegistrantId) out.registrant_id = s.registrantId;
  if (s.zoomUserId) out.participant_user_id = s.zoomUserId;
  return out;
}

/** One row of GET /past_meetings/{uuid}/participants. */
export function pastRow(s: Segment): Record<string, unknown> {
  return {
    id: s.zoomUserId,
    name: s.name,
    user_id: s.userId,
    registrant_id: s.registrantId,
    user_email: s.email,
    join_time: zoomTime(s.joinTime),
    leave_time: zoomTime(s.leaveTime!),
    duration: seconds(s.joinTime, s.leaveTime!),
    failover: false,
    status: 'in_meeting',
    internal_user: s.zoomUserId !== '',
  };
}

/** One row of GET /metrics/meetings/{id}/participants (the dashboard). */
export function metricsRow(s: Segment, withRegistrantId: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.zoomUserId,
    user_id: s.userId,
    user_name: s.name,
    device: 'Windows',
    ip_address: '127.0.0.1',
    location: 'Local emulator',
    network_type: 'Wired',
    data_center: 'Emulated',
    connection_type: 'UDP',
    join_time: zoomTime(s.joinTime),
    share_application: false,
    share_desktop: false,
    share_whiteboard: false,
    recording: false,
    status: 'in_meeting',
    email: s.email,
    participant_uuid: s.participantUuid,
    customer_key: '',
  };
  if (s.leaveTime) {
    out.leave_time = zoomTime(s.leaveTime);
    out.leave_reason = s.leaveReason;
  }
  if (s.zoomUserId) out.participant_user_id = s.zoomUserId;
  if (withRegistrantId) out.registrant_id = s.registrantId;
  return out;
}

export function registrantRow(r: Registrant): Record<string, unknown> {
  return {
    id: r.id,
    email: r.email,
    first_name: r.first_name,
    last_name: r.last_name,
    address: '',
    city: '',
    country: '',
    zip: '',
    state: '',
    phone: '',
    industry: '',
    org: '',
    job_title: '',
    purchasing_time_frame: '',
    role_in_purchase_process: '',
    no_of_employees: '',
    comments: '',
    custom_questions: [],
    status: r.status,
    create_time: r.create_time,
    join_url: r.join_url,
    participant_pin_code: r.participant_pin_code,
  };
}
