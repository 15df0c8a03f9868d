// SQL for LTI 1.3 core: registered platforms, the one-time OIDC login states, LMS people,
// contexts (LMS courses) and resource links (exam placements). Grade sync SQL lives in
// lti.grades.repository.ts.
import { and, asc, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import {
  ltiContexts,
  ltiLoginStates,
  ltiPlatforms,
  ltiResourceLinks,
  ltiUsers,
  type LtiContext,
  type LtiPlatform,
  type LtiResourceLink,
} from '../../db/schema/index.ts';

type Q = Db | Tx;

// --- platforms -------------------------------------------------------------------------

export async function platformById(db: Q, id: string): Promise<LtiPlatform | null> {
  const [row] = await db.select().from(ltiPlatforms).where(eq(ltiPlatforms.id, id)).limit(1);
  return row ?? null;
}

export function listPlatforms(db: Q): Promise<LtiPlatform[]> {
  return db.select().from(ltiPlatforms).orderBy(asc(ltiPlatforms.name), asc(ltiPlatforms.createdAt));
}

/** Active registrations of an issuer (one per client id). */
export function activePlatformsOfIssuer(db: Q, issuer: string): Promise<LtiPlatform[]> {
  return db
    .select()
    .from(ltiPlatforms)
    .where(and(eq(ltiPlatforms.issuer, issuer), eq(ltiPlatforms.active, true)))
    .orderBy(asc(ltiPlatforms.createdAt));
}

export type PlatformValues = Pick<
  LtiPlatform,
  'name' | 'issuer' | 'clientId' | 'deploymentIds' | 'authLoginUrl' | 'accessTokenUrl' | 'jwksUrl' | 'authServer'
>;

export async function insertPlatform(db: Q, values: PlatformValues & { createdBy: string | null }) {
  const [row] = await db.insert(ltiPlatforms).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

export async function updatePlatform(
  db: Q,
  id: string,
  values: Partial<PlatformValues> & { active?: boolean; updatedAt?: Date },
) {
  const [row] = await db.update(ltiPlatforms).set(values).where(eq(ltiPlatforms.id, id)).returning();
  return row ?? null;
}

// --- login states ----------------------------------------------------------------------

export async function insertLoginState(
  db: Q,
  v: { state: string; nonce: string; platformId: string; targetLinkUri: string; expiresAt: Date },
) {
  await db.insert(ltiLoginStates).values(v);
}

/** Consumes a state exactly once, and only before it expires: the row, or null. */
export async function consumeLoginState(db: Q, state: string) {
  const [row] = await db
    .update(ltiLoginStates)
    .set({ usedAt: sql`now()` })
    .where(
      and(eq(ltiLoginStates.state, state), isNull(ltiLoginStates.usedAt), gt(ltiLoginStates.expiresAt, sql`now()`)),
    )
    .returning();
  return row ?? null;
}

/** Why a state did not consume (for the error page): unknown, used or expired. */
export async function loginStateFate(db: Q, state: string): Promise<'unknown' | 'used' | 'expired'> {
  const [row] = await db.select().from(ltiLoginStates).where(eq(ltiLoginStates.state, state)).limit(1);
  if (!row) return 'unknown';
  return row.usedAt ? 'used' : 'expired';
}

/** Housekeeping: states older than a day are no use to anyone. */
export async function deleteOldLoginStates(db: Q, before: Date) {
  await db.delete(ltiLoginStates).where(lt(ltiLoginStates.expiresAt, before));
}

// --- people ----------------------------------------------------------------------------

export async function ltiUserOf(db: Q, platformId: string, sub: string) {
  const [row] = await db
    .select()
    .from(ltiUsers)
    .where(and(eq(ltiUsers.platformId, platformId), eq(ltiUsers.sub, sub)))
    .limit(1);
  return row ?? null;
}

export async function linkLtiUser(db: Q, platformId: string, sub: string, userId: string) {
  await db
    .insert(ltiUsers)
    .values({ platformId, sub, userId, lastLaunchAt: sql`now()` })
    .onConflictDoUpdate({
      target: [ltiUsers.platformId, ltiUsers.sub],
      set: { lastLaunchAt: sql`now()` },
    });
}

// --- contexts --------------------------------------------------------------------------

export async function contextById(db: Q, id: string): Promise<LtiContext | null> {
  const [row] = await db.select().from(ltiContexts).where(eq(ltiContexts.id, id)).limit(1);
  return row ?? null;
}

export async function contextOf(db: Q, platformId: string, contextId: string): Promise<LtiContext | null> {
  const [row] = await db
    .select()
    .from(ltiContexts)
    .where(and(eq(ltiContexts.platformId, platformId), eq(ltiContexts.contextId, contextId)))
    .limit(1);
  return row ?? null;
}

/** The contexts linked to one of our courses (roster sync). */
export function contextsOfCourse(db: Q, courseId: string): Promise<LtiContext[]> {
  return db.select().from(ltiContexts).where(eq(ltiContexts.courseId, courseId)).orderBy(asc(ltiContexts.createdAt));
}

export interface ContextServices {
  platformId: string;
  deploymentId: string;
  contextId: string;
  title?: string | null;
  /** NRPS context_memberships_url; undefined leaves the stored one alone. */
  membershipsUrl?: string | null;
  /** AGS lineitems URL and scopes; undefined leaves the stored ones alone. */
  lineItemsUrl?: string | null;
  agsScopes?: string[];
}

/** Inserts or refreshes a context with the service URLs of the latest launch. */
export async function upsertContextServices(db: Q, v: ContextServices): Promise<LtiContext> {
  const set: Partial<typeof ltiContexts.$inferInsert> = { deploymentId: v.deploymentId, updatedAt: new Date() };
  if (v.title !== undefined) set.title = v.title;
  if (v.membershipsUrl !== undefined) set.membershipsUrl = v.membershipsUrl;
  if (v.lineItemsUrl !== undefined) set.lineItemsUrl = v.lineItemsUrl;
  if (v.agsScopes !== undefined) set.agsScopes = v.agsScopes;
  const [row] = await db
    .insert(ltiContexts)
    .values({
      platformId: v.platformId,
      deploymentId: v.deploymentId,
      contextId: v.contextId,
      title: v.title ?? null,
      membershipsUrl: v.membershipsUrl ?? null,
      lineItemsUrl: v.lineItemsUrl ?? null,
      agsScopes: v.agsScopes ?? [],
    })
    .onConflictDoUpdate({ target: [ltiContexts.platformId, ltiContexts.contextId], set })
    .returning();
  return row!;
}

/** Links a context to a course, unless another launch linked it first; the linked course id. */
export async function linkContextCourse(db: Q, contextRowId: string, courseId: string): Promise<string> {
  const [row] = await db
    .update(ltiContexts)
    .set({ courseId })
    .where(and(eq(ltiContexts.id, contextRowId), isNull(ltiContexts.courseId)))
    .returning({ courseId: ltiContexts.courseId });
  if (row?.courseId) return row.courseId;
  const current = await contextById(db, contextRowId);
  return current?.courseId ?? courseId;
}

// --- resource links --------------------------------------------------------------------

export function resourceLinksOfExam(db: Q, examId: string): Promise<LtiResourceLink[]> {
  return db
    .select()
    .from(ltiResourceLinks)
    .where(eq(ltiResourceLinks.examId, examId))
    .orderBy(asc(ltiResourceLinks.createdAt));
}

export async function resourceLinkOf(db: Q, platformId: string, resourceLinkId: string) {
  const [row] = await db
    .select()
    .from(ltiResourceLinks)
    .where(and(eq(ltiResourceLinks.platformId, platformId), eq(ltiResourceLinks.resourceLinkId, resourceLinkId)))
    .limit(1);
  return row ?? null;
}

export async function upsertResourceLink(
  db: Q,
  v: {
    platformId: string;
    contextId: string | null;
    resourceLinkId: string;
    examId: string;
    lineItemUrl?: string | null;
    title?: string | null;
  },
): Promise<LtiResourceLink> {
  const set: Partial<typeof ltiResourceLinks.$inferInsert> = {
    contextId: v.contextId,
    examId: v.examId,
    updatedAt: new Date(),
  };
  if (v.lineItemUrl !== undefined && v.lineItemUrl !== null) set.lineItemUrl = v.lineItemUrl;
  if (v.title !== undefined) set.title = v.title;
  const [row] = await db
    .insert(ltiResourceLinks)
    .values({
      platformId: v.platformId,
      contextId: v.contextId,
      resourceLinkId: v.resourceLinkId,
      examId: v.examId,
      lineItemUrl: v.lineItemUrl ?? null,
      title: v.title ?? null,
    })
    .onConflictDoUpdate({ target: [ltiResourceLinks.platformId, ltiResourceLinks.resourceLinkId], set })
    .returning();
  return row!;
}
