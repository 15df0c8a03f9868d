import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { accountTokens, examParticipants, sessions, users, type AccountTokenPurpose } from '../../db/schema/index.ts';

export async function revokeUnusedTokens(tx: Tx, userId: string, purpose: AccountTokenPurpose) {
  await tx
    .update(accountTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(accountTokens.userId, userId),
        eq(accountTokens.purpose, purpose),
        isNull(accountTokens.usedAt),
        isNull(accountTokens.revokedAt),
      ),
    );
}

export async function insertToken(tx: Tx, values: typeof accountTokens.$inferInsert) {
  await tx.insert(accountTokens).values(values);
}

export type TokenState = 'used' | 'revoked' | 'expired' | 'unknown';

/**
 * Uses a token at most once: the update only matches a live token, so of two requests with
 * the same token exactly one gets the row. When none matches, says why (for the message).
 */
export async function useToken(
  tx: Tx,
  tokenHash: string,
  purpose: AccountTokenPurpose,
): Promise<{ ok: true; userId: string; tokenId: string } | { ok: false; state: TokenState }> {
  const [used] = await tx
    .update(accountTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(accountTokens.tokenHash, tokenHash),
        eq(accountTokens.purpose, purpose),
        isNull(accountTokens.usedAt),
        isNull(accountTokens.revokedAt),
        gt(accountTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({ id: accountTokens.id, userId: accountTokens.userId });
  if (used) return { ok: true, userId: used.userId, tokenId: used.id };
  const [row] = await tx
    .select({ usedAt: accountTokens.usedAt, revokedAt: accountTokens.revokedAt })
    .from(accountTokens)
    .where(and(eq(accountTokens.tokenHash, tokenHash), eq(accountTokens.purpose, purpose)));
  if (!row) return { ok: false, state: 'unknown' };
  return { ok: false, state: row.usedAt ? 'used' : row.revokedAt ? 'revoked' : 'expired' };
}

/** Whether a token is a live link of this kind (a read: the use itself is `useToken`). */
export async function tokenState(
  db: Db,
  tokenHash: string,
  purpose: AccountTokenPurpose,
): Promise<TokenState | 'live'> {
  const [row] = await db
    .select({
      usedAt: accountTokens.usedAt,
      revokedAt: accountTokens.revokedAt,
      live: sql<boolean>`${accountTokens.expiresAt} > now()`,
    })
    .from(accountTokens)
    .where(and(eq(accountTokens.tokenHash, tokenHash), eq(accountTokens.purpose, purpose)));
  if (!row) return 'unknown';
  if (row.usedAt) return 'used';
  if (row.revokedAt) return 'revoked';
  return row.live ? 'live' : 'expired';
}

export function findUserById(db: Db | Tx, userId: string) {
  return db.query.users.findFirst({ where: eq(users.id, userId) });
}

export async function findUserForUpdate(tx: Tx, userId: string) {
  const [row] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
  return row;
}

export function findUserByEmail(db: Db | Tx, email: string) {
  return db.query.users.findFirst({ where: eq(users.email, email) });
}

export async function updateUser(tx: Tx, userId: string, values: Partial<typeof users.$inferInsert>) {
  const [row] = await tx
    .update(users)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning();
  return row!;
}

/** Ends every live session of the user (all but `exceptSessionId` when given); answers their ids. */
export async function revokeUserSessions(
  tx: Tx,
  userId: string,
  reason: string,
  exceptSessionId?: string,
): Promise<string[]> {
  const rows = await tx
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        exceptSessionId ? ne(sessions.id, exceptSessionId) : undefined,
      ),
    )
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

/** The accounts of an exam's participants, by email; `hasPassword` is the hash (null when none is set). */
export async function participantAccounts(tx: Tx, examId: string) {
  return tx
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      status: users.status,
      hasPassword: users.passwordHash,
    })
    .from(examParticipants)
    .innerJoin(users, eq(users.id, examParticipants.userId))
    .where(eq(examParticipants.examId, examId))
    .orderBy(users.email);
}
