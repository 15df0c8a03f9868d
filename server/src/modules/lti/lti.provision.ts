// What a verified launch changes here, all in the caller's transaction (so any refusal
// leaves nothing behind, not even the account): the LMS person's account, the context and
// its course, the enrolment, the resource link and the exam participation.
//
// Rules: an LMS Instructor is a teacher, a Learner a student; an existing account's role is
// never changed by a launch (a mismatch is refused), and admins never sign in through LTI.
// A new account takes the LMS email only when no account has it: an LMS cannot prove that
// someone owns an address here, so it must not hand over an existing account.
import { createHash } from 'node:crypto';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { LTI_CLAIMS, LTI_ROLES, type LtiLaunchClaims } from '@exam-hall/protocol';
import type { Tx } from '../../db/client.ts';
import { attempts, examParticipants, exams, users, type LtiPlatform } from '../../db/schema/index.ts';
import * as courseRepo from '../courses/courses.repository.ts';
import { newAccessCode } from '../participants/access-codes.ts';
import { withFreshCodes } from '../participants/participants.codes.ts';
import * as participantRepo from '../participants/participants.repository.ts';
import { LtiError } from './lti.html.ts';
import * as repo from './lti.repository.ts';

export type LtiRole = 'teacher' | 'student';

/** Instructor wins over Learner; sub-roles (TA, mentor) and institution roles are not mapped. */
export function roleOfClaims(roles: readonly string[]): LtiRole | null {
  if (roles.includes(LTI_ROLES.instructor)) return 'teacher';
  if (roles.includes(LTI_ROLES.learner)) return 'student';
  return null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A non-routable address for people the LMS sent without a usable email (RFC 2606 .invalid). */
export function placeholderEmail(platform: Pick<LtiPlatform, 'id' | 'issuer'>, sub: string): string {
  const host = new URL(platform.issuer).hostname.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
  const hash = createHash('sha256').update(`${platform.id}|${sub}`).digest('hex').slice(0, 20);
  return `lti-${hash}@${host}.lti.invalid`;
}

function nameOf(c: LtiLaunchClaims): string {
  const full = c.name?.trim() || [c.given_name, c.family_name].filter(Boolean).join(' ').trim();
  // Control characters cannot be stored as a name; an LMS that sends them gets a plain name.
  // eslint-disable-next-line no-control-regex
  const clean = full.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return clean.slice(0, 200) || 'LMS user';
}

export interface Account {
  id: string;
  email: string;
  name: string;
  role: 'teacher' | 'student';
  created: boolean;
}

/** The account of the LMS person: found by platform + sub, else created (never matched by email). */
export async function accountFor(tx: Tx, platform: LtiPlatform, c: LtiLaunchClaims, role: LtiRole): Promise<Account> {
  // Two first launches of the same person at once must not make two accounts.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`exam-hall:lti-user:${platform.id}:${c.sub}`}))`);
  const link = await repo.ltiUserOf(tx, platform.id, c.sub);
  if (link) {
    const [u] = await tx.select().from(users).where(eq(users.id, link.userId)).limit(1);
    if (!u) throw new LtiError(403, 'The Exam Hall account for this LMS person no longer exists.');
    if (u.role === 'admin')
      throw new LtiError(
        403,
        'Administrator accounts cannot sign in through an LMS.',
        'Sign in to Exam Hall directly.',
      );
    if (u.status === 'suspended') throw new LtiError(403, 'Your Exam Hall account is suspended.', 'Ask your teacher.');
    if (u.role !== role)
      throw new LtiError(
        403,
        role === 'teacher'
          ? 'The LMS says you are an instructor here, but your Exam Hall account is a student account.'
          : 'The LMS says you are a learner here, but your Exam Hall account is a staff account.',
        "Exam Hall never changes an account's role on its own: ask an administrator.",
      );
    await repo.linkLtiUser(tx, platform.id, c.sub, u.id);
    return { id: u.id, email: u.email, name: u.name, role, created: false };
  }
  const name = nameOf(c);
  const given = c.email?.trim().toLowerCase();
  const candidates = given && EMAIL.test(given) && !given.endsWith('.invalid') ? [given] : [];
  candidates.push(placeholderEmail(platform, c.sub));
  for (const email of candidates) {
    const [row] = await tx
      .insert(users)
      .values({ email, name, role, status: 'active', passwordHash: null, emailVerifiedAt: null })
      .onConflictDoNothing()
      .returning({ id: users.id });
    if (row) {
      await repo.linkLtiUser(tx, platform.id, c.sub, row.id);
      return { id: row.id, email, name, role, created: true };
    }
  }
  throw new LtiError(
    409,
    'An account for this LMS person could not be created (its address is taken).',
    'Ask an administrator.',
  );
}

/** The context row and its course: created for an instructor's first launch, refused for a learner's. */
export async function courseFor(tx: Tx, platform: LtiPlatform, c: LtiLaunchClaims, role: LtiRole, userId: string) {
  const ctx = c[LTI_CLAIMS.context]!;
  const ags = c[LTI_CLAIMS.ags];
  const nrps = c[LTI_CLAIMS.nrps];
  const existing = await repo.contextOf(tx, platform.id, ctx.id);
  if (!existing?.courseId && role === 'student')
    throw new LtiError(
      403,
      'This LMS course is not set up in Exam Hall yet.',
      'Ask your teacher to open the activity once from the LMS first; then try again.',
    );
  const context = await repo.upsertContextServices(tx, {
    platformId: platform.id,
    deploymentId: c[LTI_CLAIMS.deploymentId],
    contextId: ctx.id,
    title: ctx.title ?? ctx.label ?? null,
    ...(nrps ? { membershipsUrl: nrps.context_memberships_url } : {}),
    ...(ags ? { lineItemsUrl: ags.lineitems ?? null, agsScopes: ags.scope ?? [] } : {}),
  });
  let courseId = context.courseId;
  if (!courseId) {
    const made = await courseRepo.insertCourse(tx, {
      teacherId: userId,
      name: (ctx.title ?? ctx.label ?? 'Course from the LMS').slice(0, 200),
      description: `Linked to an LMS course (${platform.name}).`,
    });
    courseId = await repo.linkContextCourse(tx, context.id, made);
  }
  // Lock the course row so the student count stays right under concurrent launches.
  const course = await courseRepo.findCourse(tx, courseId, { forUpdate: true });
  if (!course) throw new LtiError(404, 'The Exam Hall course linked to this LMS course no longer exists.');
  if (course.teacherId !== userId) await courseRepo.upsertEnrollments(tx, courseId, [{ userId, role }]);
  if (role === 'student') await courseRepo.recountStudents(tx, courseId);
  return { context, course };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The exam this placement opens: the stored link, else custom exam_id, else ?exam= of the target link. */
function claimedExamId(c: LtiLaunchClaims): string | null {
  const custom = c[LTI_CLAIMS.custom]?.exam_id;
  if (typeof custom === 'string' && UUID.test(custom)) return custom.toLowerCase();
  const target = c[LTI_CLAIMS.targetLinkUri];
  const fromUrl = target ? new URL(target).searchParams.get('exam') : null;
  return fromUrl && UUID.test(fromUrl) ? fromUrl.toLowerCase() : null;
}

export async function resourceLinkFor(
  tx: Tx,
  platform: LtiPlatform,
  c: LtiLaunchClaims,
  course: { id: string; teacherId: string | null },
  contextRowId: string,
) {
  const link = c[LTI_CLAIMS.resourceLink]!;
  const stored = await repo.resourceLinkOf(tx, platform.id, link.id);
  const examId = stored?.examId ?? claimedExamId(c);
  if (!examId)
    throw new LtiError(
      400,
      'This LMS link does not say which exam to open.',
      'Teachers: place the exam with the LMS\'s "Select content" (Deep Linking), or set the custom parameter exam_id.',
    );
  const [exam] = await tx.select().from(exams).where(eq(exams.id, examId)).limit(1);
  if (!exam) throw new LtiError(404, 'The exam this LMS link points to does not exist (any more).');
  // A placement may open an exam of this course or one its teacher wrote, nothing else.
  if (!stored && exam.courseId !== course.id && exam.createdBy !== course.teacherId)
    throw new LtiError(403, 'The exam this LMS link points to does not belong to this course.');
  const row = await repo.upsertResourceLink(tx, {
    platformId: platform.id,
    contextId: contextRowId,
    resourceLinkId: link.id,
    examId,
    lineItemUrl: c[LTI_CLAIMS.ags]?.lineitem ?? null,
    title: link.title ?? null,
  });
  return { link: row, exam };
}

/** Makes the learner a participant of the exam (how students get access to an exam); idempotent. */
export async function ensureParticipant(tx: Tx, secret: string, examId: string, account: Account, addedBy: string) {
  const [existing] = await tx
    .select({ id: examParticipants.id })
    .from(examParticipants)
    .where(and(eq(examParticipants.examId, examId), eq(examParticipants.userId, account.id)))
    .limit(1);
  if (existing) return false;
  await withFreshCodes(tx, async (sp) => {
    const fresh = newAccessCode(secret);
    await participantRepo.insertParticipants(sp, examId, addedBy, [
      { userId: account.id, email: account.email, hash: fresh.hash, hint: fresh.hint },
    ]);
  });
  return true;
}

/** The attempt a returning learner should land in (running or in the lobby), if any. */
export async function openAttemptOf(tx: Tx, examId: string, userId: string): Promise<string | null> {
  const [row] = await tx
    .select({ id: attempts.id })
    .from(attempts)
    .where(
      and(
        eq(attempts.examId, examId),
        eq(attempts.userId, userId),
        inArray(attempts.status, ['not_started', 'in_progress', 'paused']),
      ),
    )
    .orderBy(desc(attempts.createdAt))
    .limit(1);
  return row?.id ?? null;
}
