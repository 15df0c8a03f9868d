// Names and Role Provisioning Services 2.0, the tool's side: read an LMS course's whole
// membership (following rel="next" pages), then in one transaction create accounts for people
// new to us, link them (lti_users), enrol the active ones and drop those who left. The LMS
// answer is checked with zod; anything unusable in it is skipped, never trusted.
import { z } from 'zod';
import { emailSchema, LTI_MEDIA, LTI_SCOPES, participantNameSchema, type EnrollmentRole } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import * as audit from '../audit/audit.service.ts';
import * as courses from '../courses/courses.repository.ts';
import * as repo from './lti.nrps.repository.ts';
import { placeholderEmail } from './lti.provision.ts';
import { excerpt, LtiServiceError, lmsFetch, readJson, readText, type LtiTokenClient } from './lti.token.ts';

/** A roster larger than this is refused rather than half-read (LMS courses are far smaller). */
export const NRPS_MAX_MEMBERS = 20_000;
const NRPS_MAX_PAGES = 500;

const memberSchema = z.object({
  user_id: z.string().min(1).max(255),
  status: z.string().max(40).optional(),
  name: z.string().max(500).optional(),
  given_name: z.string().max(250).optional(),
  family_name: z.string().max(250).optional(),
  email: z.string().max(320).optional(),
  roles: z.array(z.string().max(500)).max(50).default([]),
});
const containerSchema = z.object({ members: z.array(z.unknown()).max(NRPS_MAX_MEMBERS) });

export interface Member {
  sub: string;
  active: boolean;
  role: EnrollmentRole | null;
  name: string;
  email: string | null;
}

/** LIS membership roles (full URI or the short form NRPS allows) to ours; anything else is not enrolled. */
export function roleOf(roles: string[]): EnrollmentRole | null {
  const short = roles.map((r) => r.replace('http://purl.imsglobal.org/vocab/lis/v2/membership#', ''));
  if (short.includes('Instructor')) return 'teacher';
  if (short.includes('Learner')) return 'student';
  return null;
}

function memberOf(raw: unknown): Member | null {
  const m = memberSchema.safeParse(raw);
  if (!m.success) return null;
  const v = m.data;
  const named = participantNameSchema.safeParse(
    v.name || [v.given_name, v.family_name].filter(Boolean).join(' ') || 'LMS user',
  );
  // A reserved .invalid address from an LMS is no address (the launch's rule too).
  const email = v.email && !/\.invalid$/i.test(v.email.trim()) ? emailSchema.safeParse(v.email) : null;
  return {
    sub: v.user_id,
    // NRPS: status is Active unless said otherwise (Inactive, Deleted).
    active: (v.status ?? 'Active') === 'Active',
    role: roleOf(v.roles),
    name: named.success ? named.data : 'LMS user',
    email: email?.success ? email.data : null,
  };
}

/** The rel="next" target of a Link header (RFC 8288), resolved against the page's URL. */
export function nextLink(header: string | null, base: string): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(^|;)\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2]!)) {
      try {
        const u = new URL(m[1]!, base);
        return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Every member of the LMS course, all pages. */
export async function fetchMembers(tokens: LtiTokenClient, platform: repo.RosterTarget['platform'], url: string) {
  const token = await tokens.token(platform, [LTI_SCOPES.membershipReadonly]);
  const members = new Map<string, Member>();
  const seen = new Set<string>();
  let next: string | null = url;
  while (next) {
    if (seen.size >= NRPS_MAX_PAGES || seen.has(next)) {
      throw new LtiServiceError('The LMS roster never ended (too many pages, or a page leading back): sync stopped.', {
        retryable: false,
      });
    }
    seen.add(next);
    const res = await lmsFetch(
      next,
      { headers: { authorization: `Bearer ${token}`, accept: LTI_MEDIA.membershipContainer } },
      'roster service',
    );
    if (!res.ok) {
      const text = excerpt(await readText(res, 64 * 1024), 120);
      if (res.status === 401) tokens.forget(platform.id);
      const retryable = res.status === 401 || res.status === 429 || res.status >= 500;
      throw new LtiServiceError(
        res.status === 401 || res.status === 403
          ? `The LMS refused the roster request (${res.status}): check the platform's registration and that the tool may read course memberships.`
          : `The LMS roster service failed (${res.status}${text ? `: ${text}` : ''}).${retryable ? ' It will be retried.' : ''}`,
        { status: res.status, retryable },
      );
    }
    const body = containerSchema.safeParse(await readJson(res));
    if (!body.success) {
      throw new LtiServiceError(
        'The LMS roster answer was not a membership container (no members list, or over 16 MB).',
        {
          retryable: false,
        },
      );
    }
    for (const raw of body.data.members) {
      const m = memberOf(raw);
      if (m) members.set(m.sub, m);
    }
    if (members.size > NRPS_MAX_MEMBERS) {
      throw new LtiServiceError(`The LMS course has over ${NRPS_MAX_MEMBERS} members: sync refused.`, {
        retryable: false,
      });
    }
    next = nextLink(res.headers.get('link'), next);
  }
  return [...members.values()];
}

export interface RosterCounts {
  added: number;
  updated: number;
  dropped: number;
  skipped: number;
  total: number;
}

/** Applies a full membership to the course: one transaction, the course row locked. */
export async function applyRoster(db: Db, target: repo.RosterTarget, members: Member[]): Promise<RosterCounts> {
  const courseId = target.courseId!;
  const platformId = target.platform.id;
  return db.transaction(async (tx: Tx) => {
    await courses.findCourse(tx, courseId, { forUpdate: true });
    const linked = await repo.linkedUsers(
      tx,
      platformId,
      members.map((m) => m.sub),
    );
    const wanted = members.filter((m) => m.active && m.role);
    // New people: an account each, then the link. A concurrent launch may link first: re-read.
    let fresh = wanted.filter((m) => !linked.has(m.sub));
    if (fresh.length) {
      // Same lock as a launch's (lti.provision.ts), then look again: a launch may have linked them.
      await repo.lockLmsPeople(
        tx,
        platformId,
        fresh.map((m) => m.sub),
      );
      for (const [sub, u] of await repo.linkedUsers(
        tx,
        platformId,
        fresh.map((m) => m.sub),
      ))
        linked.set(sub, u);
      fresh = fresh.filter((m) => !linked.has(m.sub));
    }
    if (fresh.length) {
      const taken = await repo.existingEmails(
        tx,
        fresh.flatMap((m) => (m.email ? [m.email] : [])),
      );
      const accounts = fresh.map((m) => ({
        sub: m.sub,
        email: m.email && !taken.has(m.email) ? m.email : placeholderEmail(target.platform, m.sub),
        name: m.name,
        role: m.role === 'teacher' ? ('teacher' as const) : ('student' as const),
      }));
      // Two members giving the same email: the first gets it (the insert skips the second).
      const created = await repo.insertLtiAccounts(tx, accounts);
      await repo.insertLtiUsers(
        tx,
        platformId,
        accounts.flatMap((a) => {
          const userId = created.get(a.email);
          return userId ? [{ sub: a.sub, userId }] : [];
        }),
      );
      for (const [sub, u] of await repo.linkedUsers(
        tx,
        platformId,
        fresh.map((m) => m.sub),
      ))
        linked.set(sub, u);
    }
    // Enrolments: the member's LMS role, if their account may hold it (an existing account's
    // role is never changed; a mismatch is skipped and counted).
    const before = new Map((await repo.enrollmentsOfCourse(tx, courseId)).map((e) => [e.userId, e]));
    const enrol: { userId: string; role: EnrollmentRole }[] = [];
    let added = 0;
    let updated = 0;
    let skipped = 0;
    const renamed: { userId: string; name: string }[] = [];
    for (const m of wanted) {
      const u = linked.get(m.sub);
      const fits = u && (m.role === 'student' ? u.role === 'student' : u.role === 'teacher' || u.role === 'admin');
      if (!u || !fits || u.status === 'suspended') {
        skipped++;
        continue;
      }
      const had = before.get(u.userId);
      if (!had || had.status !== 'active') added++;
      else if (had.role !== m.role || u.name !== m.name) updated++;
      if (u.name !== m.name) renamed.push({ userId: u.userId, name: m.name });
      enrol.push({ userId: u.userId, role: m.role! });
    }
    await courses.upsertEnrollments(tx, courseId, enrol);
    await repo.renameUsers(tx, renamed);
    // Dropped: people this LMS brought whose membership is inactive or gone.
    const keep = new Set(enrol.map((e) => e.userId));
    const leavers = await repo.activeLmsEnrolments(tx, courseId, platformId);
    let dropped = 0;
    for (const userId of leavers) {
      if (keep.has(userId)) continue;
      if (await courses.dropEnrollment(tx, courseId, userId)) dropped++;
    }
    await courses.recountStudents(tx, courseId);
    const counts = { added, updated, dropped, skipped, total: members.length };
    await repo.finishRosterSync(tx, target.id, { state: 'done', ...counts });
    await audit.record(
      tx,
      {},
      {
        action: 'lti.roster.synced',
        targetType: 'course',
        targetId: courseId,
        details: { contextId: target.id, ...counts },
      },
    );
    return counts;
  });
}

/** The whole sync of one LMS course; the outcome is stored on the context for the course page. */
export async function syncRoster(deps: { db: Db; tokens: LtiTokenClient }, contextId: string) {
  const { db } = deps;
  const target = await repo.rosterTarget(db, contextId);
  if (!target) return { skipped: true };
  try {
    if (!target.courseId)
      throw new LtiServiceError('This LMS course is not linked to a course here.', { retryable: false });
    if (!target.platform.active) {
      throw new LtiServiceError('The LMS registration is switched off: an administrator can turn it back on.', {
        retryable: false,
      });
    }
    if (!target.membershipsUrl) {
      throw new LtiServiceError(
        'The LMS gave no roster service for this course: enable Names and Role Provisioning for the tool and launch it once from the course.',
        { retryable: false },
      );
    }
    const members = await fetchMembers(deps.tokens, target.platform, target.membershipsUrl);
    return await applyRoster(db, target, members);
  } catch (err) {
    const known = err instanceof LtiServiceError;
    const message = known ? err.message : 'The roster could not be synced because of an error in Exam Hall.';
    await repo.finishRosterSync(db, target.id, { state: 'failed', error: message });
    await audit.record(
      db,
      {},
      {
        action: 'lti.roster.failed',
        targetType: 'course',
        targetId: target.courseId ?? undefined,
        details: { contextId: target.id, status: known ? err.status : null },
      },
    );
    if (!known || err.retryable) throw err;
    return { failed: message };
  }
}
