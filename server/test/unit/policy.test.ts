// The policy module is Express-free and takes no database: its rules run here on plain
// rows and stub lookups. The same rules over HTTP and sockets: rbac.test.ts, hall.test.ts,
// courses-enrolment.test.ts, attendance.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Role } from '@exam-hall/protocol';
import {
  assertManages,
  attendanceMeeting,
  certificateAccess,
  manages,
  ownsAttempt,
  watchableExam,
  zoomMeetingAccess,
  type AccessFacts,
} from '../../src/policy/access.ts';
import type { Actor } from '../../src/policy/actor.ts';
import {
  attemptCookieMatches,
  attemptCookieNames,
  attemptCookieValue,
  newAttemptToken,
  parseAttemptCookie,
} from '../../src/policy/attempt-cookie.ts';

const actor = (role: Role, userId = `${role}-1`): Actor => ({
  userId,
  role,
  sessionId: 's',
  sessionExpiresAt: new Date(0),
  email: `${userId}@example.test`,
  name: userId,
});

/** Facts from two lists of [userId, courseId], counting lookups (some rules must not look anything up). */
function facts(teaching: [string, string][] = [], proctoring: [string, string][] = []) {
  const has = (list: [string, string][], u: string, c: string) => list.some(([lu, lc]) => lu === u && lc === c);
  const f: AccessFacts & { count: number } = {
    count: 0,
    teaches: async (u, c) => (f.count++, has(teaching, u, c)),
    proctors: async (u, c) => (f.count++, has(proctoring, u, c)),
  };
  return f;
}

describe('policy module', () => {
  it('imports neither Express nor the database client', () => {
    const dir = join(import.meta.dirname, '../../src/policy');
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source, file).not.toMatch(/from 'express'/);
      if (file !== 'access.sql.ts') expect(source, file).not.toMatch(/db\/client/);
    }
  });
});

describe('course managers', () => {
  it('admins and owners manage without a lookup; teachers of the course through one; others never', async () => {
    const f = facts([['teacher-2', 'c1']]);
    expect(await manages(actor('admin'), { ownerId: 'x', courseId: 'c1' }, f)).toBe(true);
    expect(await manages(actor('teacher'), { ownerId: 'teacher-1', courseId: null }, f)).toBe(true);
    expect(f.count).toBe(0);
    expect(await manages(actor('teacher', 'teacher-2'), { ownerId: 'x', courseId: 'c1' }, f)).toBe(true);
    expect(await manages(actor('teacher', 'teacher-3'), { ownerId: 'x', courseId: 'c1' }, f)).toBe(false);
    expect(await manages(actor('proctor'), { ownerId: 'x', courseId: 'c1' }, f)).toBe(false);
    await expect(assertManages(actor('student'), { ownerId: 'x', courseId: null }, f, 'Exam')).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('watching a hall', () => {
  const exam = { id: 'e1', createdBy: 'teacher-1', courseId: 'c1' };

  it('refuses other roles with 403 before looking the exam up', async () => {
    let looked = false;
    const find = async () => ((looked = true), exam);
    await expect(watchableExam(actor('student'), find, facts())).rejects.toMatchObject({ status: 403 });
    await expect(watchableExam(null, find, facts())).rejects.toMatchObject({ status: 403 });
    expect(looked).toBe(false);
  });

  it('lets managers and enrolled proctors watch; anyone else and a missing exam get 404', async () => {
    const f = facts([], [['proctor-1', 'c1']]);
    const find = async () => exam;
    await expect(watchableExam(actor('teacher'), find, f)).resolves.toBe(exam);
    await expect(watchableExam(actor('proctor'), find, f)).resolves.toBe(exam);
    await expect(watchableExam(actor('proctor', 'proctor-2'), find, f)).rejects.toMatchObject({ status: 404 });
    await expect(watchableExam(actor('admin'), async () => undefined, f)).rejects.toMatchObject({ status: 404 });
  });
});

describe('attendance', () => {
  const found = {
    meeting: { id: 'm1', hostUserId: 'teacher-9', examId: null, courseId: 'c1' },
    examOwnerId: null,
    examCourseId: null,
    courseTeacherId: 'teacher-1',
  };

  it('401 without an actor, 403 for students, then host, admins and the course’s teachers; 404 for the rest', async () => {
    const find = async () => found;
    await expect(attendanceMeeting(null, find, facts())).rejects.toMatchObject({ status: 401 });
    await expect(attendanceMeeting(actor('student'), find, facts())).rejects.toMatchObject({ status: 403 });
    await expect(attendanceMeeting(actor('teacher', 'teacher-9'), find, facts())).resolves.toBe(found.meeting);
    await expect(attendanceMeeting(actor('teacher'), find, facts())).resolves.toBe(found.meeting);
    await expect(attendanceMeeting(actor('proctor'), find, facts())).rejects.toMatchObject({ status: 404 });
    await expect(attendanceMeeting(actor('admin'), async () => undefined, facts())).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('certificates', () => {
  it('their holder reads them, those who manage the exam also manage them; 404 for the rest', async () => {
    const row = { cert: { userId: 'student-1' }, examOwner: 'teacher-1', courseId: null };
    await expect(certificateAccess(actor('student'), row, 'read', facts())).resolves.toBe(row);
    await expect(certificateAccess(actor('student'), row, 'manage', facts())).rejects.toMatchObject({ status: 404 });
    await expect(certificateAccess(actor('teacher'), row, 'manage', facts())).resolves.toBe(row);
    await expect(certificateAccess(actor('teacher', 'teacher-2'), row, 'read', facts())).rejects.toMatchObject({
      status: 404,
    });
    await expect(certificateAccess(actor('admin'), undefined, 'read', facts())).rejects.toMatchObject({ status: 404 });
  });
});

describe('Zoom meetings', () => {
  it('admins and the host manage without a lookup, the session’s managers through it; 404 for the rest', async () => {
    const meeting = { hostUserId: 'teacher-9', examId: 'e1', courseId: null };
    let loads = 0;
    const session = async () => (loads++, { ownerId: 'teacher-1', courseId: null });
    await expect(zoomMeetingAccess(actor('admin'), meeting, session, facts())).resolves.toBe(meeting);
    await expect(zoomMeetingAccess(actor('teacher', 'teacher-9'), meeting, session, facts())).resolves.toBe(meeting);
    expect(loads).toBe(0);
    await expect(zoomMeetingAccess(actor('teacher'), meeting, session, facts())).resolves.toBe(meeting);
    await expect(zoomMeetingAccess(actor('teacher', 'teacher-2'), meeting, session, facts())).rejects.toMatchObject({
      status: 404,
    });
    const unlinked = { ...meeting, examId: null };
    await expect(zoomMeetingAccess(actor('teacher'), unlinked, session, facts())).rejects.toMatchObject({
      status: 404,
    });
    expect(loads).toBe(2);
  });
});

describe('the attempt cookie', () => {
  const { token, tokenHash } = newAttemptToken();
  const attempt = { id: 'a1', userId: 'student-1', attemptTokenHash: tokenHash };
  const cookie = attemptCookieValue('a1', token);

  it('is the attempt id and a token whose hash alone is stored', () => {
    expect(cookie).toBe(`a1.${token}`);
    expect(tokenHash).not.toContain(token);
    expect(parseAttemptCookie(cookie)).toEqual({ attemptId: 'a1', token });
    expect(parseAttemptCookie('a1')).toEqual({ attemptId: 'a1', token: undefined });
  });

  it('matches only its own attempt with its own token', () => {
    expect(attemptCookieMatches(cookie, attempt)).toBe(true);
    expect(attemptCookieMatches(`a1.${token}x`, attempt)).toBe(false);
    expect(attemptCookieMatches(`a2.${token}`, attempt)).toBe(false);
    expect(attemptCookieMatches('a1.', attempt)).toBe(false);
    expect(attemptCookieMatches(undefined, attempt)).toBe(false);
    expect(attemptCookieMatches(cookie, { ...attempt, attemptTokenHash: null })).toBe(false);
    expect(attemptCookieNames(cookie, 'a1')).toBe(true);
    expect(attemptCookieNames('a1', 'a1')).toBe(false);
  });

  it('makes its holder, or the student signed in, the owner of the attempt', () => {
    expect(ownsAttempt({ actor: null, attemptCookie: cookie }, attempt)).toBe(true);
    expect(ownsAttempt({ actor: actor('student'), attemptCookie: null }, attempt)).toBe(true);
    expect(ownsAttempt({ actor: actor('student', 'student-2'), attemptCookie: undefined }, attempt)).toBe(false);
  });
});
