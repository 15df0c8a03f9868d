// LTI Deep Linking 2.0: an instructor's LtiDeepLinkingRequest is remembered server-side in
// Redis for 30 minutes under a random id (the request's return URL and opaque data must
// come back unchanged, and no new table is needed for something this short-lived); the
// picker page lists the teacher's own exams; the choice becomes a signed
// LtiDeepLinkingResponse JWT (RS256, the active lti_tool key) that the page form-posts as
// field JWT to the platform's deep_link_return_url.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { and, desc, eq, ne, or } from 'drizzle-orm';
import { LTI_CLAIMS, type LtiDeepLinkRequest, type LtiDeepLinkResponse } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { courses, enrollments, exams } from '../../db/schema/index.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { assertRole } from '../../policy/access.ts';
import type { Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { KeyStore } from '../keys/keys.service.ts';
import * as repo from './lti.repository.ts';

export const DEEP_LINK_TTL_S = 30 * 60;

export interface StoredDeepLink {
  platformId: string;
  deploymentId: string;
  userId: string;
  returnUrl: string;
  data: string | null;
  contextTitle: string | null;
  expiresAt: string;
}

const keyOf = (prefix: string, id: string) => `${prefix}:lti:deep-link:${id}`;

export function createDeepLinking(deps: {
  db: Db;
  redis: Redis;
  prefix: string;
  keys: KeyStore;
  publicUrl: string;
  secret: string;
}) {
  const { db, redis, prefix, keys, publicUrl, secret } = deps;

  async function remember(v: Omit<StoredDeepLink, 'expiresAt'>): Promise<string> {
    const id = randomBytes(24).toString('base64url');
    const stored: StoredDeepLink = { ...v, expiresAt: new Date(Date.now() + DEEP_LINK_TTL_S * 1000).toISOString() };
    await redis.set(keyOf(prefix, id), JSON.stringify(stored), 'EX', DEEP_LINK_TTL_S);
    return id;
  }

  /** The stored request, only for the teacher who launched it (404 for anyone else or after expiry). */
  async function load(caller: Caller, id: string): Promise<StoredDeepLink> {
    assertRole(caller.actor, ['teacher']);
    let raw: string | null;
    try {
      raw = await redis.get(keyOf(prefix, id));
    } catch {
      throw new AppError(503, 'unavailable', 'Exam Hall cannot read the LMS request right now. Try again in a minute.');
    }
    const stored = raw ? (JSON.parse(raw) as StoredDeepLink) : null;
    if (!stored || stored.userId !== caller.actor.userId)
      throw notFound('LMS content selection (it expires after 30 minutes)');
    return stored;
  }

  /** Exams the teacher wrote or co-teaches through a course; archived ones are left out. */
  function examsOf(userId: string) {
    return db
      .selectDistinct({
        id: exams.id,
        title: exams.title,
        status: exams.status,
        totalPoints: exams.totalPoints,
        courseName: courses.name,
        createdAt: exams.createdAt,
      })
      .from(exams)
      .leftJoin(courses, eq(courses.id, exams.courseId))
      .leftJoin(
        enrollments,
        and(eq(enrollments.courseId, exams.courseId), eq(enrollments.userId, userId), eq(enrollments.status, 'active')),
      )
      .where(
        and(
          ne(exams.status, 'archived'),
          or(eq(exams.createdBy, userId), eq(courses.teacherId, userId), eq(enrollments.role, 'teacher')),
        ),
      )
      .orderBy(desc(exams.createdAt))
      .limit(200);
  }

  async function describe(caller: Caller, id: string): Promise<LtiDeepLinkRequest> {
    const stored = await load(caller, id);
    const platform = await repo.platformById(db, stored.platformId);
    if (!platform) throw notFound('LMS content selection');
    const rows = await examsOf(caller.actor.userId);
    return {
      platformName: platform.name,
      contextTitle: stored.contextTitle,
      exams: rows.map((r) => ({
        id: r.id,
        title: r.title,
        status: r.status,
        totalPoints: r.totalPoints,
        courseName: r.courseName,
      })),
      expiresAt: stored.expiresAt,
    };
  }

  async function choose(caller: Caller, id: string, examId: string): Promise<LtiDeepLinkResponse> {
    const stored = await load(caller, id);
    const platform = await repo.platformById(db, stored.platformId);
    if (!platform?.active) throw notFound('LMS content selection');
    const exam = (await examsOf(caller.actor.userId)).find((e) => e.id === examId);
    if (!exam) throw notFound('Exam');
    const key = await keys.active('lti_tool');
    const contentItem = {
      type: 'ltiResourceLink',
      title: exam.title,
      url: `${publicUrl}/lti/launch?exam=${exam.id}`,
      custom: { exam_id: exam.id },
      lineItem: { scoreMaximum: exam.totalPoints > 0 ? exam.totalPoints : 100, label: exam.title, resourceId: exam.id },
    };
    const jwt = await new SignJWT({
      nonce: randomBytes(16).toString('base64url'),
      [LTI_CLAIMS.messageType]: 'LtiDeepLinkingResponse',
      [LTI_CLAIMS.version]: '1.3.0',
      [LTI_CLAIMS.deploymentId]: stored.deploymentId,
      [LTI_CLAIMS.contentItems]: [contentItem],
      ...(stored.data !== null ? { [LTI_CLAIMS.data]: stored.data } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(platform.clientId)
      .setAudience(platform.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);
    // One answer per request: the id cannot be replayed to place more links.
    await redis.del(keyOf(prefix, id)).catch(() => {});
    await audit.record(db, auditContextOf(secret, caller), {
      action: 'lti.deep_link_placed',
      targetType: 'exam',
      targetId: exam.id,
      details: { platformId: platform.id },
    });
    return { returnUrl: stored.returnUrl, jwt };
  }

  /** The origin the picker page will post back to (for its CSP form-action), or null. */
  async function returnOriginOf(id: string): Promise<string | null> {
    const raw = await redis.get(keyOf(prefix, id)).catch(() => null);
    if (!raw) return null;
    try {
      return new URL((JSON.parse(raw) as StoredDeepLink).returnUrl).origin;
    } catch {
      return null;
    }
  }

  return { remember, describe, choose, returnOriginOf };
}
export type DeepLinking = ReturnType<typeof createDeepLinking>;
