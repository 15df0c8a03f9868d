// Zoom meetings of an exam or of a course's class session: create (registration on) or
// link, list, attendance rules, and the student's own join links. Only the exam's or
// course's teacher, the meeting's host user and admins manage a meeting; others get 404.
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type {
  createZoomMeetingSchema,
  linkZoomMeetingSchema,
  MyZoomMeeting,
  updateAttendanceRulesSchema,
  ZoomMeetingDto,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import type { ZoomMeeting } from '../../db/schema/index.ts';
import { AppError, badRequest, conflict, notFound } from '../../http/errors.ts';
import { assertRole, zoomMeetingAccess, type CourseTarget } from '../../policy/access.ts';
import { accessFacts } from '../../policy/access.sql.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { findCourse } from '../courses/courses.repository.ts';
import { findCourseFor } from '../courses/courses.service.ts';
import { findExam } from '../exams/exams.repository.ts';
import { EXAM_EDITORS, loadExamFor } from '../exams/exams.service.ts';
import { requireZoom, type ZoomClient } from './zoom.client.ts';
import { ZoomError } from './zoom.errors.ts';
import type { ZoomJobs } from './zoom.jobs.ts';
import type { ZoomMeetingPayload } from './zoom.types.ts';
import * as repo from './zoom.meetings.repository.ts';
import { createRegistration } from './zoom.registration.ts';

type CreateInput = z.output<typeof createZoomMeetingSchema>;
type LinkInput = z.output<typeof linkZoomMeetingSchema>;
type RulesInput = z.output<typeof updateAttendanceRulesSchema>;

/** A Zoom failure as an HTTP answer a teacher can act on. */
export function zoomHttpError(e: ZoomError): AppError {
  const retry = e.retryAfterMs ? { 'Retry-After': String(Math.max(1, Math.ceil(e.retryAfterMs / 1000))) } : undefined;
  switch (e.kind) {
    case 'not_configured':
      return new AppError(503, 'zoom_not_configured', e.message);
    case 'refused':
    case 'not_found':
      return new AppError(502, 'zoom_refused', e.message);
    case 'rate_limited':
      return new AppError(
        503,
        'zoom_unavailable',
        `${e.message} Zoom limits how often an account may call it; try again in a minute.`,
        retry ? { headers: retry } : {},
      );
    default:
      return new AppError(
        503,
        'zoom_unavailable',
        `${e.message} Try again in a few minutes.`,
        retry ? { headers: retry } : {},
      );
  }
}

/** Runs a Zoom call, turning its failures into HTTP answers. */
export async function viaZoom<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof ZoomError ? zoomHttpError(err) : err;
  }
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toMeetingDto(m: ZoomMeeting): ZoomMeetingDto {
  return {
    id: m.id,
    zoomMeetingId: m.zoomMeetingId,
    topic: m.topic,
    startTime: iso(m.startTime),
    durationMinutes: m.durationMinutes,
    timezone: m.timezone,
    joinUrl: m.joinUrl,
    registrationRequired: m.registrationRequired,
    courseId: m.courseId,
    examId: m.examId,
    status: m.status,
    lateAfterMinutes: m.lateAfterMinutes,
    partialBelowPercent: m.partialBelowPercent,
    startedAt: iso(m.startedAt),
    endedAt: iso(m.endedAt),
    lastSyncedAt: iso(m.lastSyncedAt),
  };
}

/**
 * Zoom's registration is on when approval is automatic (0) or manual (1); 2 means off.
 * Instant (1) and no-fixed-time recurring (3) meetings cannot take registrations at all.
 */
export function registrationOn(z: ZoomMeetingPayload & { type?: number }): boolean {
  if (z.type === 1 || z.type === 3) return false;
  const approval = z.settings?.approval_type;
  return approval === 0 || approval === 1 || !!z.registration_url;
}

/** The columns a Zoom meeting resource fills. */
function fromZoom(z: ZoomMeetingPayload) {
  const start = z.start_time ? new Date(z.start_time) : null;
  return {
    zoomMeetingId: String(z.id),
    zoomUuid: z.uuid ?? null,
    hostId: z.host_id ?? null,
    topic: z.topic?.trim() || `Zoom meeting ${z.id}`,
    startTime: start && !Number.isNaN(start.getTime()) ? start : null,
    durationMinutes: z.duration && z.duration > 0 ? z.duration : null,
    timezone: z.timezone || null,
    joinUrl: z.join_url ?? null,
    registrationRequired: registrationOn(z),
  };
}

/** Zoom's start_time format: yyyy-MM-ddTHH:mm:ssZ in UTC. */
const zoomTime = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The meeting if the actor may manage it (policy/access.ts zoomMeetingAccess); 404 otherwise. */
export async function loadMeetingFor(db: Db | Tx, actor: Actor, id: string): Promise<ZoomMeeting> {
  assertRole(actor, EXAM_EDITORS);
  const meeting = await repo.findMeeting(db, id);
  if (!meeting) throw notFound('Zoom meeting');
  return zoomMeetingAccess(actor, meeting, () => sessionOf(db, meeting), accessFacts(db));
}

/** The exam or course a meeting is for, as what its access rule needs. */
async function sessionOf(db: Db | Tx, m: ZoomMeeting): Promise<CourseTarget | undefined> {
  if (m.examId) {
    const exam = await findExam(db, m.examId);
    return exam && { ownerId: exam.createdBy, courseId: exam.courseId };
  }
  if (!m.courseId) return undefined;
  const course = await findCourse(db, m.courseId);
  return course && { ownerId: course.teacherId, courseId: course.id };
}

/** Checks the actor may manage the session (exam or course) a meeting is for. */
async function assertSession(db: Db, actor: Actor, s: { examId?: string | undefined; courseId?: string | undefined }) {
  if (s.examId) await loadExamFor(db, actor, s.examId);
  else if (s.courseId) await findCourseFor(db, actor, s.courseId);
}

export function createZoomMeetingService(deps: {
  db: Db;
  secret: string;
  zoom: ZoomClient | null;
  zoomJobs: ZoomJobs;
  redis: Redis;
  config: { redis: { prefix: string } };
}) {
  const { db, secret } = deps;
  const registration = createRegistration({ ...deps, loadMeeting: loadMeetingFor, viaZoom, registrationOn });

  async function store(caller: Caller, values: Parameters<typeof repo.insertMeeting>[1], action: string) {
    return db.transaction(async (tx) => {
      const row = await repo.insertMeeting(tx, values);
      if (!row) throw conflict('This Zoom meeting is already linked to a session in Exam Hall.');
      await audit.record(tx, auditContextOf(secret, caller), {
        action,
        targetType: 'zoom_meeting',
        targetId: row.id,
        details: {
          zoomMeetingId: row.zoomMeetingId,
          examId: row.examId,
          courseId: row.courseId,
          registrationRequired: row.registrationRequired,
          lateAfterMinutes: row.lateAfterMinutes,
          partialBelowPercent: row.partialBelowPercent,
        },
      });
      return toMeetingDto(row);
    });
  }

  const session = (i: { examId?: string | undefined; courseId?: string | undefined }) => ({
    examId: i.examId ?? null,
    courseId: i.courseId ?? null,
  });
  const rules = (i: RulesInput) => ({
    ...(i.lateAfterMinutes !== undefined ? { lateAfterMinutes: i.lateAfterMinutes } : {}),
    ...(i.partialBelowPercent !== undefined ? { partialBelowPercent: i.partialBelowPercent } : {}),
  });

  return {
    registration,

    async create(caller: Caller, input: CreateInput): Promise<ZoomMeetingDto> {
      await assertSession(db, caller.actor, input);
      const zoom = await viaZoom(async () => requireZoom(deps.zoom));
      const created = await viaZoom(() =>
        zoom.createMeeting({
          topic: input.topic,
          type: 2,
          start_time: zoomTime(input.startTime),
          duration: input.durationMinutes,
          timezone: input.timezone ?? 'UTC',
          settings: {
            // Registration on, every registrant approved at once; each gets a personal join link.
            approval_type: 0,
            registration_type: 1,
            // Students may wait in the meeting before the teacher arrives; a waiting room would turn this off.
            join_before_host: true,
            waiting_room: false,
            meeting_authentication: false,
          },
        }),
      );
      return store(
        caller,
        {
          ...fromZoom(created),
          // Zoom echoes what it stored; fall back to what was asked for.
          topic: created.topic?.trim() || input.topic,
          registrationRequired: true,
          hostUserId: caller.actor.userId,
          ...session(input),
          ...rules(input),
        },
        'zoom.meeting_create',
      );
    },

    async link(caller: Caller, input: LinkInput): Promise<ZoomMeetingDto> {
      await assertSession(db, caller.actor, input);
      if (await repo.findByZoomId(db, input.zoomMeetingId)) {
        throw conflict('This Zoom meeting is already linked to a session in Exam Hall.');
      }
      const zoom = await viaZoom(async () => requireZoom(deps.zoom));
      let found: ZoomMeetingPayload;
      try {
        found = await zoom.getMeeting(input.zoomMeetingId);
      } catch (err) {
        if (err instanceof ZoomError && err.kind === 'not_found') {
          const message = `The Zoom account has no meeting ${input.zoomMeetingId}. Check the number in Zoom (it must belong to the account Exam Hall uses).`;
          throw badRequest(message, [{ path: 'body.zoomMeetingId', message }]);
        }
        throw err instanceof ZoomError ? zoomHttpError(err) : err;
      }
      return store(
        caller,
        { ...fromZoom(found), hostUserId: caller.actor.userId, ...session(input), ...rules(input) },
        'zoom.meeting_link',
      );
    },

    async list(actor: Actor, q: { examId?: string | undefined; courseId?: string | undefined }) {
      assertRole(actor, EXAM_EDITORS);
      await assertSession(db, actor, q);
      const rows = await repo.listMeetings(db, q.examId ? { examId: q.examId } : { courseId: q.courseId! });
      return rows.map(toMeetingDto);
    },

    async get(actor: Actor, id: string) {
      return toMeetingDto(await loadMeetingFor(db, actor, id));
    },

    async updateRules(caller: Caller, id: string, input: RulesInput) {
      const updated = await db.transaction(async (tx) => {
        const before = await loadMeetingFor(tx, caller.actor, id);
        const row = await repo.updateMeeting(tx, id, rules(input));
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'zoom.meeting_rules',
          targetType: 'zoom_meeting',
          targetId: id,
          details: {
            before: { lateAfterMinutes: before.lateAfterMinutes, partialBelowPercent: before.partialBelowPercent },
            after: { lateAfterMinutes: row.lateAfterMinutes, partialBelowPercent: row.partialBelowPercent },
          },
        });
        return row;
      });
      // Statuses of a finished meeting follow the new rules after the next sync.
      if (updated.status === 'ended') await deps.zoomJobs.sync(updated.id);
      return toMeetingDto(updated);
    },

    async mine(actor: Actor): Promise<MyZoomMeeting[]> {
      const rows = await repo.myMeetings(db, actor.userId);
      return rows.map((r) => ({
        meetingId: r.meetingId,
        topic: r.topic,
        startTime: iso(r.startTime),
        status: r.status,
        joinUrl: r.joinUrl!,
      }));
    },
  };
}

export type ZoomMeetingService = ReturnType<typeof createZoomMeetingService>;
