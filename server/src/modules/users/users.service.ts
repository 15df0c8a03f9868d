// Accounts as an administrator manages them: list, invite one by one or from CSV, change
// role, suspend and reactivate, hand out password-reset and invitation links. Every change
// is audited in its own transaction (never an email in the details). Rules that keep a
// school from locking itself out: nobody suspends or demotes themselves, and the last
// active administrator stays one, even when two administrators act at the same moment.
import type {
  AccountLinkOutcome,
  AccountLinkPurpose,
  AdminUser,
  AdminUserCounts,
  AdminUserCreate,
  AdminUserDetail,
  AdminUserLink,
  AdminUserList,
  AdminUserListQuery,
  Role,
  RoleChange,
  Suspend,
  UserImportResult,
  UserImportRow,
} from '@exam-hall/protocol';
import { accountStatuses, roles } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { AppError, conflict, notFound } from '../../http/errors.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { Caller } from '../../policy/actor.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { checkUserLines, readUserCsv, type UserLineCheck } from './users.import.ts';
import * as repo from './users.repository.ts';

/** What the accounts module provides (server/src/modules/accounts/accounts.links.ts). */
export interface AccountLinks {
  issue(
    tx: Tx,
    input: { userId: string; purpose: AccountLinkPurpose; createdBy: string | null },
  ): Promise<{ url: string; expiresAt: Date }>;
  deliver(
    user: { email: string; name: string },
    purpose: AccountLinkPurpose,
    link: { url: string; expiresAt: Date },
  ): Promise<AccountLinkOutcome>;
}

/** Mails sent at once after an import: a mail server takes a handful of connections, not a thousand. */
const DELIVERY_CONCURRENCY = 5;

export function toAdminUser(r: repo.UserRow): AdminUser {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    status: r.status,
    hasPassword: r.hasPassword,
    createdAt: r.createdAt.toISOString(),
    lastLoginAt: r.lastLoginAt?.toISOString() ?? null,
    emailVerifiedAt: r.emailVerifiedAt?.toISOString() ?? null,
    suspendedAt: r.suspendedAt?.toISOString() ?? null,
  };
}

const refused = (message: string) => new AppError(409, 'conflict', message);
const who = (u: { name: string; email: string }) => `${u.name} (${u.email})`;

export function createUserService(deps: { db: Db; secret: string; publish: HallPublisher; links: AccountLinks }) {
  const { db, secret, publish, links } = deps;

  async function loadForUpdate(tx: Tx, id: string) {
    const user = await repo.findUser(tx, id, { forUpdate: true });
    if (!user) throw notFound('User');
    return user;
  }

  /**
   * Loads the target for a change that could take away an administrator (suspension, role
   * change). Every active admin row is locked first, in id order, then the target: of two
   * administrators suspending or demoting each other at once, the second waits, then finds
   * that it is no longer an administrator itself. Refuses a change that would leave no
   * active administrator.
   */
  async function loadGuarded(tx: Tx, caller: Caller, id: string, what: string) {
    const admins = await repo.lockActiveAdmins(tx);
    if (!admins.includes(caller.actor.userId)) {
      throw new AppError(403, 'forbidden', 'Your administrator access has ended: sign in again.');
    }
    const user = await loadForUpdate(tx, id);
    const guard = (becomesInactiveAdmin: boolean) => {
      if (!becomesInactiveAdmin || user.role !== 'admin' || user.status !== 'active') return;
      if (id === caller.actor.userId) {
        throw refused(
          `You cannot ${what} yourself: ask another administrator to do it, so someone can still manage accounts.`,
        );
      }
      if (!admins.some((a) => a !== id)) {
        throw refused(
          `${who(user)} is the last active administrator, so you cannot ${what} them: make someone else an administrator first.`,
        );
      }
    };
    return { user, guard };
  }

  /** After commit: mail the link, or answer it to be shown once. Never turns a committed change into an error. */
  async function deliver(
    user: { email: string; name: string },
    purpose: AccountLinkPurpose,
    link: { url: string; expiresAt: Date },
  ): Promise<AccountLinkOutcome> {
    try {
      return await links.deliver(user, purpose, link);
    } catch {
      return {
        delivery: 'shown',
        url: link.url,
        expiresAt: link.expiresAt.toISOString(),
        reason: 'The link could not be mailed; pass it on yourself.',
      };
    }
  }

  /** Issues a link of `purpose` for an existing account, audited, then delivers it. */
  async function issueFor(
    caller: Caller,
    id: string,
    purpose: 'invitation' | 'password_reset',
    check: (u: repo.UserRow) => string | null,
    action: string,
  ): Promise<AdminUserLink> {
    const { user, link } = await db.transaction(async (tx) => {
      const user = await loadForUpdate(tx, id);
      const problem = check(user);
      if (problem) throw refused(problem);
      const link = await links.issue(tx, { userId: id, purpose, createdBy: caller.actor.userId });
      await audit.record(tx, auditContextOf(secret, caller), {
        action,
        targetType: 'user',
        targetId: id,
        details: { expiresAt: link.expiresAt.toISOString() },
      });
      return { user, link };
    });
    return { user: toAdminUser(user), link: await deliver(user, purpose, link) };
  }

  return {
    async list(q: AdminUserListQuery): Promise<AdminUserList> {
      const { rows, total } = await repo.listUsers(db, q);
      return { users: rows.map(toAdminUser), total, page: q.page, pageSize: q.limit };
    },

    async counts(): Promise<AdminUserCounts> {
      const byRole = Object.fromEntries(roles.map((r) => [r, 0])) as Record<Role, number>;
      const byStatus = Object.fromEntries(accountStatuses.map((s) => [s, 0])) as AdminUserCounts['byStatus'];
      let total = 0;
      for (const row of await repo.countsBy(db)) {
        byRole[row.role] += row.n;
        byStatus[row.status] += row.n;
        total += row.n;
      }
      return { total, byRole, byStatus };
    },

    async get(id: string): Promise<AdminUserDetail> {
      const user = await repo.findUser(db, id);
      if (!user) throw notFound('User');
      return { user: toAdminUser(user), activeSessions: await repo.activeSessionCount(db, id) };
    },

    /** An invited account and its invitation link (mailed, or answered to be shown once). */
    async create(caller: Caller, input: AdminUserCreate): Promise<AdminUserLink> {
      const { user, link } = await db.transaction(async (tx) => {
        const [user] = await repo.insertInvited(tx, [input]);
        if (!user) throw conflict(`${input.email} already has an account.`);
        const link = await links.issue(tx, { userId: user.id, purpose: 'invitation', createdBy: caller.actor.userId });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'user.created',
          targetType: 'user',
          targetId: user.id,
          details: { role: user.role, status: user.status },
        });
        return { user, link };
      });
      return { user: toAdminUser(user), link: await deliver(user, 'invitation', link) };
    },

    /**
     * Creates an invited account for every acceptable row of a CSV file and reports each
     * row's outcome; one transaction, a fixed handful of statements plus one link and one
     * audit row per created account.
     */
    async importCsv(caller: Caller, csvText: string): Promise<UserImportResult> {
      const lines = readUserCsv(csvText); // file-level problems answer 400 before any query
      const checks = checkUserLines(lines);
      const results: UserImportRow[] = checks.map((c) =>
        c.ok
          ? { row: c.row, email: c.email, outcome: 'created' }
          : { row: c.row, email: c.email, outcome: 'invalid', reason: c.reason },
      );
      const { issued } = await db.transaction(async (tx) => {
        const good = checks
          .map((c, i) => ({ c, i }))
          .filter((x): x is { c: Extract<UserLineCheck, { ok: true }>; i: number } => x.c.ok);
        const existing = new Map(
          (
            await repo.existingByEmails(
              tx,
              good.map(({ c }) => c.email),
            )
          ).map((u) => [u.email, u]),
        );
        const fresh = good.filter(({ c }) => !existing.has(c.email));
        const created = new Map(
          (
            await repo.insertInvited(
              tx,
              fresh.map(({ c }) => ({ email: c.email, name: c.name, role: c.role })),
            )
          ).map((u) => [u.email, u]),
        );
        const ctx = auditContextOf(secret, caller);
        const issued: { i: number; user: repo.UserRow; link: { url: string; expiresAt: Date } }[] = [];
        for (const { c, i } of good) {
          const user = created.get(c.email);
          if (!user) {
            const other = existing.get(c.email);
            results[i] = {
              row: c.row,
              email: c.email,
              outcome: 'exists',
              reason: other
                ? `An account with this email already exists (${other.role}, ${other.status.replaceAll('_', ' ')}).`
                : 'An account with this email was created a moment ago by someone else.',
              ...(other ? { userId: other.id } : {}),
            };
            continue;
          }
          const link = await links.issue(tx, {
            userId: user.id,
            purpose: 'invitation',
            createdBy: caller.actor.userId,
          });
          await audit.record(tx, ctx, {
            action: 'user.created',
            targetType: 'user',
            targetId: user.id,
            details: { role: user.role, status: user.status, via: 'import' },
          });
          issued.push({ i, user, link });
        }
        const summary = { created: issued.length, exists: 0, invalid: 0 };
        for (const r of results) if (r.outcome !== 'created') summary[r.outcome]++;
        await audit.record(tx, ctx, {
          action: 'users.imported',
          targetType: 'user',
          details: { rows: results.length, ...summary },
        });
        return { issued };
      });
      // After commit, a few at a time.
      for (let k = 0; k < issued.length; k += DELIVERY_CONCURRENCY) {
        await Promise.all(
          issued.slice(k, k + DELIVERY_CONCURRENCY).map(async ({ i, user, link }) => {
            results[i] = { ...results[i]!, userId: user.id, link: await deliver(user, 'invitation', link) };
          }),
        );
      }
      const summary = { created: 0, exists: 0, invalid: 0 };
      for (const r of results) summary[r.outcome]++;
      return { summary, rows: results };
    },

    async changeRole(caller: Caller, id: string, input: RoleChange): Promise<AdminUser> {
      const { user, changed } = await db.transaction(async (tx) => {
        const { user, guard } = await loadGuarded(tx, caller, id, `take the administrator role from`);
        if (user.role === input.role) return { user, changed: false };
        guard(input.role !== 'admin');
        await repo.setRole(tx, id, input.role);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'user.role_changed',
          targetType: 'user',
          targetId: id,
          details: { from: user.role, to: input.role },
        });
        return { user: { ...user, role: input.role }, changed: true };
      });
      // Open sockets carry the role they connected with: close them so they reconnect with the new one.
      if (changed) publish.closeUserSockets(id);
      return toAdminUser(user);
    },

    /** Suspends the account and ends every session at once; open sockets close on every API process. */
    async suspend(caller: Caller, id: string, input: Suspend): Promise<AdminUser> {
      const { user, attemptIds } = await db.transaction(async (tx) => {
        const { user, guard } = await loadGuarded(tx, caller, id, 'suspend');
        if (id === caller.actor.userId) {
          throw refused('You cannot suspend your own account: ask another administrator to do it.');
        }
        if (user.status === 'suspended') throw refused(`${who(user)} is already suspended.`);
        guard(true);
        const suspendedAt = new Date();
        await repo.setStatus(tx, id, 'suspended', suspendedAt);
        const sessionsEnded = await repo.revokeUserSessions(tx, id, 'suspended');
        const linksRevoked = await repo.revokeAccountTokens(tx, id);
        const attemptIds = await repo.revokeAttemptCookies(tx, id);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'user.suspended',
          targetType: 'user',
          targetId: id,
          details: {
            previousStatus: user.status,
            sessionsEnded,
            linksRevoked,
            attemptCookiesWithdrawn: attemptIds.length,
            ...(input.reason ? { reason: input.reason } : {}),
          },
        });
        return { user: { ...user, status: 'suspended' as const, suspendedAt }, attemptIds };
      });
      publish.closeUserSockets(id, { reason: 'suspended' }, attemptIds);
      return toAdminUser(user);
    },

    /** Back to active; an account that never set a password goes back to invited instead. */
    async reactivate(caller: Caller, id: string): Promise<AdminUser> {
      return db.transaction(async (tx) => {
        const user = await loadForUpdate(tx, id);
        if (user.status !== 'suspended') throw refused(`${who(user)} is not suspended.`);
        const status = user.hasPassword ? 'active' : 'invited';
        await repo.setStatus(tx, id, status, null);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'user.reactivated',
          targetType: 'user',
          targetId: id,
          details: { status },
        });
        return toAdminUser({ ...user, status, suspendedAt: null });
      });
    },

    resetLink: (caller: Caller, id: string) =>
      issueFor(
        caller,
        id,
        'password_reset',
        (u) =>
          u.status === 'suspended'
            ? `${who(u)} is suspended: reactivate the account first.`
            : !u.hasPassword
              ? `${who(u)} has not set a password yet: re-send the invitation instead.`
              : null,
        'user.password_reset_issued',
      ),

    resendInvitation: (caller: Caller, id: string) =>
      issueFor(
        caller,
        id,
        'invitation',
        (u) =>
          u.status === 'suspended'
            ? `${who(u)} is suspended: reactivate the account first.`
            : u.hasPassword
              ? `${who(u)} has already set a password: issue a password-reset link instead.`
              : null,
        'user.invitation_sent',
      ),
  };
}
export type UserService = ReturnType<typeof createUserService>;
