// SQL for the admin console's accounts. Searches are substring matches on the lower-cased
// email and name: a sequential scan of 10,000 short rows takes a few milliseconds (measured
// in admin-users.test.ts); a trigram index is the next step if schools grow far beyond that.
import { and, asc, count, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { AccountStatus, AdminUserListQuery, Role } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { accountTokens, attempts, sessions, users } from '../../db/schema/index.ts';
import { likeLiteral } from '../participants/participants.repository.ts';

type Q = Db | Tx;

export const userColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  status: users.status,
  hasPassword: sql<boolean>`${users.passwordHash} is not null`.mapWith(Boolean),
  createdAt: users.createdAt,
  lastLoginAt: users.lastLoginAt,
  emailVerifiedAt: users.emailVerifiedAt,
  suspendedAt: users.suspendedAt,
};
export type UserRow = {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: AccountStatus;
  hasPassword: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
  emailVerifiedAt: Date | null;
  suspendedAt: Date | null;
};

function listWhere(q: AdminUserListQuery): SQL | undefined {
  const where: SQL[] = [];
  if (q.search) {
    const pattern = `%${likeLiteral(q.search.toLowerCase())}%`;
    // Emails are stored lower-cased (a check constraint says so), names are not.
    where.push(sql`(${users.email} like ${pattern} or lower(${users.name}) like ${pattern})`);
  }
  if (q.role) where.push(eq(users.role, q.role));
  if (q.status) where.push(eq(users.status, q.status));
  return where.length ? and(...where) : undefined;
}

/** A page of accounts ordered by name then email, and how many match. */
export async function listUsers(db: Db, q: AdminUserListQuery): Promise<{ rows: UserRow[]; total: number }> {
  const where = listWhere(q);
  const rows = await db
    .select({ ...userColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(users)
    .where(where)
    .orderBy(asc(sql`lower(${users.name})`), asc(users.email))
    .limit(q.limit)
    .offset((q.page - 1) * q.limit);
  let total = rows[0]?.total;
  if (total === undefined) {
    const [row] = await db.select({ n: count() }).from(users).where(where);
    total = row?.n ?? 0;
  }
  return { rows: rows.map(({ total: _t, ...r }) => r), total };
}

export async function countsBy(db: Db) {
  return db
    .select({ role: users.role, status: users.status, n: count() })
    .from(users)
    .groupBy(users.role, users.status);
}

export async function findUser(db: Q, id: string, opts: { forUpdate?: boolean } = {}): Promise<UserRow | undefined> {
  const base = db.select(userColumns).from(users).where(eq(users.id, id));
  const [row] = opts.forUpdate ? await base.for('update') : await base;
  return row;
}

export async function activeSessionCount(db: Q, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), sql`${sessions.expiresAt} > now()`));
  return row?.n ?? 0;
}

export async function existingByEmails(tx: Q, emails: string[]) {
  if (!emails.length) return [];
  return tx
    .select({ id: users.id, email: users.email, role: users.role, status: users.status })
    .from(users)
    .where(inArray(users.email, emails));
}

/** Invited accounts (no password yet); an address registered meanwhile is skipped, not an error. */
export async function insertInvited(tx: Tx, rows: { email: string; name: string; role: Role }[]) {
  if (!rows.length) return [];
  return tx
    .insert(users)
    .values(rows.map((r) => ({ ...r, status: 'invited' as const, passwordHash: null })))
    .onConflictDoNothing({ target: users.email })
    .returning(userColumns);
}

/**
 * Locks every active admin row, in id order so two admins acting at once queue instead of
 * deadlocking; the answer is who is still an active admin once the lock is held.
 */
export async function lockActiveAdmins(tx: Tx): Promise<string[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.status, 'active')))
    .orderBy(asc(users.id))
    .for('update');
  return rows.map((r) => r.id);
}

export async function setRole(tx: Tx, id: string, role: Role) {
  await tx.update(users).set({ role }).where(eq(users.id, id));
}

export async function setStatus(tx: Tx, id: string, status: AccountStatus, suspendedAt: Date | null) {
  await tx.update(users).set({ status, suspendedAt }).where(eq(users.id, id));
}

/** Withdraws the attempt cookies of the user's unfinished attempts (code-started students have no session); answers their ids. */
export async function revokeAttemptCookies(tx: Tx, userId: string): Promise<string[]> {
  const rows = await tx
    .update(attempts)
    .set({ attemptTokenHash: null })
    .where(
      and(
        eq(attempts.userId, userId),
        isNotNull(attempts.attemptTokenHash),
        inArray(attempts.status, ['not_started', 'in_progress', 'paused']),
      ),
    )
    .returning({ id: attempts.id });
  return rows.map((r) => r.id);
}

/** Revokes every live session of the user; answers how many. */
export async function revokeUserSessions(tx: Tx, userId: string, reason: string): Promise<number> {
  const rows = await tx
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length;
}

/** Unused invitation / reset / verification links stop working (a suspended account must not be activated by one). */
export async function revokeAccountTokens(tx: Tx, userId: string): Promise<number> {
  const rows = await tx
    .update(accountTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(accountTokens.userId, userId), isNull(accountTokens.usedAt), isNull(accountTokens.revokedAt)))
    .returning({ id: accountTokens.id });
  return rows.length;
}
