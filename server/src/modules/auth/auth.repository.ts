import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { sessionRefreshTokens, sessions, users, type NewUser } from '../../db/schema/index.ts';

export function findUserByEmail(db: Db, email: string) {
  return db.query.users.findFirst({ where: eq(users.email, email) });
}

export async function anyAdminExists(db: Db): Promise<boolean> {
  const row = await db.query.users.findFirst({ where: eq(users.role, 'admin'), columns: { id: true } });
  return !!row;
}

export async function insertUser(db: Db | Tx, user: NewUser) {
  const [row] = await db.insert(users).values(user).returning();
  return row!;
}

export async function touchLastLogin(db: Db | Tx, userId: string) {
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, userId));
}

export async function insertSession(
  tx: Tx,
  values: typeof sessions.$inferInsert,
): Promise<typeof sessions.$inferSelect> {
  const [row] = await tx.insert(sessions).values(values).returning();
  await tx.insert(sessionRefreshTokens).values({ sessionId: row!.id, tokenHash: values.refreshTokenHash });
  return row!;
}

/** The session and its user for an access token, whatever the session's state. */
export async function findByAccessHash(db: Db, accessTokenHash: string) {
  const [row] = await db
    .select({
      session: sessions,
      user: { id: users.id, email: users.email, name: users.name, role: users.role, status: users.status },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.accessTokenHash, accessTokenHash))
    .limit(1);
  return row;
}

/** Marks lastUsedAt at most once a minute, so reads do not turn into a write each. */
export async function touchSession(db: Db, sessionId: string) {
  await db
    .update(sessions)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(sessions.id, sessionId), sql`${sessions.lastUsedAt} < now() - interval '60 seconds'`));
}

/** Claims a refresh token: only one caller can rotate a given token. */
export async function claimRefreshToken(tx: Tx, tokenHash: string) {
  const [claimed] = await tx
    .update(sessionRefreshTokens)
    .set({ rotatedAt: new Date() })
    .where(and(eq(sessionRefreshTokens.tokenHash, tokenHash), isNull(sessionRefreshTokens.rotatedAt)))
    .returning({ sessionId: sessionRefreshTokens.sessionId });
  if (claimed) return { state: 'fresh' as const, sessionId: claimed.sessionId };
  const [old] = await tx
    .select({ sessionId: sessionRefreshTokens.sessionId })
    .from(sessionRefreshTokens)
    .where(eq(sessionRefreshTokens.tokenHash, tokenHash));
  return old ? { state: 'reused' as const, sessionId: old.sessionId } : { state: 'unknown' as const };
}

export async function rotateSessionTokens(
  tx: Tx,
  sessionId: string,
  values: { accessTokenHash: string; accessExpiresAt: Date; refreshTokenHash: string },
) {
  await tx.insert(sessionRefreshTokens).values({ sessionId, tokenHash: values.refreshTokenHash });
  const [row] = await tx
    .update(sessions)
    .set({ ...values, lastUsedAt: new Date() })
    .where(eq(sessions.id, sessionId))
    .returning();
  return row!;
}

export async function findSessionWithUser(db: Db | Tx, sessionId: string) {
  const [row] = await db
    .select({
      session: sessions,
      user: { id: users.id, email: users.email, name: users.name, role: users.role, status: users.status },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sessionId));
  return row;
}

export async function revokeSession(db: Db | Tx, sessionId: string, reason: string) {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id, userId: sessions.userId });
  return rows[0];
}

export function findUserById(db: Db, userId: string) {
  return db.query.users.findFirst({ where: eq(users.id, userId) });
}

export async function setPassword(tx: Tx, userId: string, passwordHash: string) {
  await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
}

/** Ends every live session of the user but one; answers the ids it ended. */
export async function revokeOtherSessions(tx: Tx, userId: string, keepSessionId: string, reason: string) {
  const rows = await tx
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), ne(sessions.id, keepSessionId)))
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export function listActiveSessions(db: Db, userId: string) {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
    .orderBy(desc(sessions.lastUsedAt));
}

/** Deletes sessions that ended (expired or revoked) more than `days` ago; their tokens cascade. */
export async function deleteEndedSessions(db: Db, days: number): Promise<number> {
  const cutoff = sql`now() - make_interval(days => ${days})`;
  const rows = await db
    .delete(sessions)
    .where(sql`${sessions.expiresAt} < ${cutoff} or ${sessions.revokedAt} < ${cutoff}`)
    .returning({ id: sessions.id });
  return rows.length;
}
