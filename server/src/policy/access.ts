// Every access rule of the system: who may do what, in one file. Rules take the actor
// and the row they judge (or a repository function that loads it, so the order of
// "role first, then the lookup" stays the rule's), never a database handle or a request.
// Their SQL forms (list filters) and the facts they look up are in access.sql.ts.
import type { Role } from '@exam-hall/protocol';
import { AppError, forbidden, notFound, unauthenticated } from '../http/errors.ts';
import type { Actor } from './actor.ts';
import { attemptCookieMatches } from './attempt-cookie.ts';

export function assertRole(actor: Actor, roles: readonly Role[]): void {
  if (!roles.includes(actor.role)) throw forbidden(`This needs one of the roles: ${roles.join(', ')}.`);
}

/** Admins see everything; others only what they own. Unowned answers 404 so ids cannot be probed. */
export function assertOwnerOrAdmin(actor: Actor, ownerId: string, what: string): void {
  if (actor.role === 'admin' || actor.userId === ownerId) return;
  throw notFound(what);
}

/** What the rules look up: repository functions (accessFacts in access.sql.ts). */
export interface AccessFacts {
  /** `userId` is the course's own teacher or holds an active 'teacher' enrolment in it (a co-teacher). */
  teaches(userId: string, courseId: string): Promise<boolean>;
  /** `userId` holds an active 'proctor' enrolment in the course. */
  proctors(userId: string, courseId: string): Promise<boolean>;
}

/** Something that belongs to a course: a course (its teacher), an exam (its author), ... */
export interface CourseTarget {
  ownerId: string | null;
  courseId: string | null;
}

/**
 * The one rule for "who manages something that belongs to a course": its owner (the
 * course's teacher, or the exam's author), an admin, or a teacher who teaches the
 * course (its own teacher, or a co-teacher). Every ownership check of courses, exams
 * and what hangs off them (questions, participants, results, halls, Zoom sessions,
 * certificates) goes through here, as a check or as a SQL filter (managedBy).
 */
export async function manages(actor: Actor, target: CourseTarget, facts: AccessFacts): Promise<boolean> {
  if (actor.role === 'admin' || (target.ownerId !== null && actor.userId === target.ownerId)) return true;
  if (actor.role !== 'teacher' || !target.courseId) return false;
  return facts.teaches(actor.userId, target.courseId);
}

/** As `manages`, answering 404 (not 403) so that ids cannot be probed. */
export async function assertManages(actor: Actor, target: CourseTarget, facts: AccessFacts, what: string) {
  if (!(await manages(actor, target, facts))) throw notFound(what);
}

/**
 * A certificate: those who manage its exam may read and manage it (revoke, retry);
 * its holder may read it. Anyone else, and a missing one: 404.
 */
export async function certificateAccess<
  R extends { cert: { userId: string }; examOwner: string; courseId: string | null },
>(actor: Actor, row: R | undefined, use: 'read' | 'manage', facts: AccessFacts): Promise<R> {
  const teaches = row && (await manages(actor, { ownerId: row.examOwner, courseId: row.courseId }, facts));
  const owns = row && row.cert.userId === actor.userId;
  if (!row || !(teaches || (use === 'read' && owns))) throw notFound('Certificate');
  return row;
}

/**
 * Managing a Zoom meeting: admins, its host user, and whoever manages the session it is
 * for (its exam or its course, loaded by `session`). Anyone else, or a meeting for
 * neither: 404.
 */
export async function zoomMeetingAccess<
  M extends { hostUserId: string | null; examId: string | null; courseId: string | null },
>(actor: Actor, meeting: M, session: () => Promise<CourseTarget | undefined>, facts: AccessFacts): Promise<M> {
  if (actor.role === 'admin' || meeting.hostUserId === actor.userId) return meeting;
  const target = meeting.examId || meeting.courseId ? await session() : undefined;
  if (target && (await manages(actor, target, facts))) return meeting;
  throw notFound('Zoom meeting');
}

interface WatchableExam {
  createdBy: string;
  courseId: string | null;
}

/**
 * Proctoring an exam: those who manage it (see manages), and proctors enrolled in the
 * exam's course with the proctor role. Other roles: 403 before anything is looked up;
 * everyone else: 404 (exists-or-not is not revealed).
 */
export async function watchableExam<E extends WatchableExam>(
  actor: Actor | null,
  find: () => Promise<E | undefined>,
  facts: AccessFacts,
): Promise<E> {
  if (!actor || !['teacher', 'admin', 'proctor'].includes(actor.role)) {
    throw new AppError(403, 'forbidden', 'Only proctors, teachers and admins can watch the hall.');
  }
  const exam = await find();
  if (!exam) throw notFound('Exam');
  if (await manages(actor, { ownerId: exam.createdBy, courseId: exam.courseId }, facts)) return exam;
  if (exam.courseId && (await facts.proctors(actor.userId, exam.courseId))) return exam;
  throw notFound('Exam');
}

const ATTENDANCE_VIEWERS: readonly Role[] = ['teacher', 'admin', 'proctor'];

/** A Zoom meeting with the people its attendance rule needs. */
interface MeetingWithOwners<M> {
  meeting: M & { hostUserId: string | null; examId: string | null; courseId: string | null };
  examOwnerId: string | null;
  examCourseId: string | null;
  courseTeacherId: string | null;
}

/**
 * Seeing a meeting's attendance: the session's teacher (the linked exam's or the linked
 * course's, co-teachers included), the meeting's host and admins. Roles that never can:
 * 403 before the lookup; anyone else: 404 so meeting ids cannot be probed.
 */
export async function attendanceMeeting<M>(
  actor: Actor | null,
  find: () => Promise<MeetingWithOwners<M> | undefined>,
  facts: AccessFacts,
): Promise<MeetingWithOwners<M>['meeting']> {
  if (!actor) throw unauthenticated();
  if (!ATTENDANCE_VIEWERS.includes(actor.role)) {
    throw forbidden('Only the session’s teacher, the meeting host and administrators can see attendance.');
  }
  const found = await find();
  if (!found) throw notFound('Meeting');
  const { meeting } = found;
  if (actor.role === 'admin' || meeting.hostUserId === actor.userId) return meeting;
  if (meeting.examId && (await manages(actor, { ownerId: found.examOwnerId, courseId: found.examCourseId }, facts))) {
    return meeting;
  }
  if (
    meeting.courseId &&
    (await manages(actor, { ownerId: found.courseTeacherId, courseId: meeting.courseId }, facts))
  ) {
    return meeting;
  }
  throw notFound('Meeting');
}

/** Who may act on an attempt: a signed-in actor, the attempt cookie's value, or both. */
export interface AttemptPrincipal {
  actor: Actor | null;
  /** The attempt cookie as the browser sent it, if any. */
  attemptCookie: string | null | undefined;
}

/** An attempt is its student's: signed in as them, or holding its attempt cookie. */
export function ownsAttempt(
  who: AttemptPrincipal,
  attempt: { id: string; userId: string; attemptTokenHash: string | null },
): boolean {
  if (who.actor && who.actor.userId === attempt.userId) return true;
  return attemptCookieMatches(who.attemptCookie, attempt);
}
