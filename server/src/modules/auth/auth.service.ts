// Sign-in, session tokens and their rotation. Sessions are opaque random tokens
// stored only as hashes: a short-lived access token checked on every request and a
// refresh token that is single-use. Reusing a rotated refresh token means it leaked,
// so the whole session is revoked.
import type { ChangePasswordBody, PublicUser, SessionInfo, SignInBody } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import type { Config } from '../../config/config.ts';
import { hashToken, keyedHash, newToken } from '../../lib/crypto.ts';
import { AppError, badRequest, notFound } from '../../http/errors.ts';
import * as audit from '../audit/audit.service.ts';
import * as repo from './auth.repository.ts';
import { hashPassword, verifyPassword } from './auth.passwords.ts';
import type { SignInLimiter } from './auth.rate-limit.ts';
import { assertOwnerOrAdmin } from '../../policy/access.ts';
import type { Actor } from '../../policy/actor.ts';

export interface RequestContext {
  ip: string;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

export interface IssuedSession {
  user: PublicUser;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date;
  expiresAt: Date;
}

export type Authentication = { actor: Actor } | { actor: null; problem: 'session_revoked' | 'expired' | 'unknown' };

export interface AuthServiceDeps {
  db: Db;
  config: Config;
  limiter: SignInLimiter;
  /** Called after a session is revoked, to drop its live sockets. */
  onSessionRevoked?: (sessionId: string) => void;
}

const invalidCredentials = () =>
  new AppError(401, 'invalid_credentials', 'The email or password is not right. Check both and try again.');

export function createAuthService({ db, config, limiter, onSessionRevoked }: AuthServiceDeps) {
  const ipHash = (ip: string) => keyedHash(config.secret, 'ip', ip);
  const auditCtx = (ctx: RequestContext, actor?: { id: string; role: string }) => ({
    actorId: actor?.id ?? null,
    actorRole: actor?.role ?? null,
    ipHash: ipHash(ctx.ip),
    requestId: ctx.requestId ?? null,
  });
  const tokens = () => {
    const accessToken = newToken();
    const refreshToken = newToken();
    return { accessToken, refreshToken, accessExpiresAt: new Date(Date.now() + config.auth.accessTtlMs) };
  };

  async function signIn(input: SignInBody, ctx: RequestContext): Promise<IssuedSession> {
    const accountKey = keyedHash(config.secret, 'account', input.email);
    const attempt = await limiter.reserve(accountKey, ipHash(ctx.ip));
    const user = await repo.findUserByEmail(db, input.email);
    const ok = await verifyPassword(user?.passwordHash, input.password);
    if (user && ok && user.status === 'pending_verification') {
      // Only someone who knows the password learns that the address waits for confirmation.
      await attempt.succeeded();
      await audit.record(db, auditCtx(ctx, user), {
        action: 'auth.sign_in_failed',
        targetType: 'user',
        targetId: user.id,
        details: { reason: 'email_not_verified' },
      });
      throw new AppError(
        403,
        'email_not_verified',
        `Confirm your email first: we sent a link to ${user.email}. Open it, then sign in. ` +
          'No mail after a few minutes? Check your spam folder, or use "Forgot your password?" to get a new link.',
      );
    }
    if (!user || !ok || user.status !== 'active') {
      await attempt.failed();
      await audit.record(db, auditCtx(ctx, user), {
        action: 'auth.sign_in_failed',
        targetType: 'user',
        ...(user ? { targetId: user.id } : {}),
        details: { reason: !user ? 'unknown_account' : !ok ? 'wrong_password' : `status_${user.status}` },
      });
      throw invalidCredentials();
    }
    await attempt.succeeded();
    return db.transaction((tx) => startSession(tx, user, ctx));
  }

  /** A new session for a user whose identity was just proven (password, or an account link), in the caller's transaction. */
  async function startSession(
    tx: Tx,
    user: { id: string; email: string; name: string; role: PublicUser['role'] },
    ctx: RequestContext,
  ): Promise<IssuedSession> {
    const t = tokens();
    const expiresAt = new Date(Date.now() + config.auth.sessionTtlMs);
    const session = await repo.insertSession(tx, {
      userId: user.id,
      accessTokenHash: hashToken(t.accessToken),
      accessExpiresAt: t.accessExpiresAt,
      refreshTokenHash: hashToken(t.refreshToken),
      expiresAt,
      userAgent: ctx.userAgent?.slice(0, 300) ?? null,
      ipHash: ipHash(ctx.ip),
    });
    await repo.touchLastLogin(tx, user.id);
    await audit.record(tx, auditCtx(ctx, user), {
      action: 'auth.sign_in',
      targetType: 'session',
      targetId: session.id,
    });
    return { user: toPublicUser(user), sessionId: session.id, ...t, expiresAt };
  }

  /** Drops the live sockets of sessions that a committed change ended. */
  function sessionsEnded(sessionIds: string[]): void {
    for (const id of sessionIds) onSessionRevoked?.(id);
  }

  /** "Sign out everywhere else": every other session of the actor ends, their sockets close. */
  async function revokeOthers(actor: Actor, ctx: RequestContext): Promise<number> {
    const ended = await db.transaction(async (tx) => {
      const ids = await repo.revokeOtherSessions(tx, actor.userId, actor.sessionId, 'signed_out_elsewhere');
      await audit.record(tx, auditCtx(ctx, { id: actor.userId, role: actor.role }), {
        action: 'auth.sessions_revoked_others',
        targetType: 'user',
        targetId: actor.userId,
        details: { count: ids.length },
      });
      return ids;
    });
    sessionsEnded(ended);
    return ended.length;
  }

  /**
   * Changes the actor's password after checking the current one (limited like sign-in, so a
   * session left open cannot be used to guess it); every other session ends.
   */
  async function changePassword(actor: Actor, input: ChangePasswordBody, ctx: RequestContext): Promise<void> {
    const attempt = await limiter.reserve(keyedHash(config.secret, 'account', actor.email), ipHash(ctx.ip));
    const user = await repo.findUserById(db, actor.userId);
    const ok = await verifyPassword(user?.passwordHash, input.currentPassword);
    if (!user || !ok) {
      await attempt.failed();
      await audit.record(db, auditCtx(ctx, { id: actor.userId, role: actor.role }), {
        action: 'account.password_change_failed',
        targetType: 'user',
        targetId: actor.userId,
        details: { reason: 'wrong_password' },
      });
      throw badRequest('The current password is not right.', [
        { path: 'body.currentPassword', message: 'The current password is not right' },
      ]);
    }
    await attempt.succeeded();
    if (input.newPassword === input.currentPassword) {
      throw badRequest('The new password is the same as the current one.', [
        { path: 'body.newPassword', message: 'Choose a password different from the current one' },
      ]);
    }
    const passwordHash = await hashPassword(input.newPassword);
    const ended = await db.transaction(async (tx) => {
      await repo.setPassword(tx, actor.userId, passwordHash);
      const ids = await repo.revokeOtherSessions(tx, actor.userId, actor.sessionId, 'password_changed');
      await audit.record(tx, auditCtx(ctx, { id: actor.userId, role: actor.role }), {
        action: 'account.password_changed',
        targetType: 'user',
        targetId: actor.userId,
        details: { endedSessions: ids.length },
      });
      return ids;
    });
    sessionsEnded(ended);
  }

  async function authenticate(accessToken: string | undefined): Promise<Authentication> {
    if (!accessToken) return { actor: null, problem: 'unknown' };
    const row = await repo.findByAccessHash(db, hashToken(accessToken));
    if (!row) return { actor: null, problem: 'unknown' };
    const { session, user } = row;
    if (session.revokedAt || user.status !== 'active') return { actor: null, problem: 'session_revoked' };
    const now = Date.now();
    if (session.accessExpiresAt.getTime() <= now || session.expiresAt.getTime() <= now) {
      return { actor: null, problem: 'expired' };
    }
    if (now - session.lastUsedAt.getTime() > 60_000) await repo.touchSession(db, session.id);
    return {
      actor: {
        userId: user.id,
        role: user.role,
        sessionId: session.id,
        sessionExpiresAt: session.expiresAt,
        email: user.email,
        name: user.name,
      },
    };
  }

  async function refresh(refreshToken: string | undefined, ctx: RequestContext): Promise<IssuedSession> {
    if (!refreshToken) throw new AppError(401, 'unauthenticated', 'Your session has ended. Sign in again.');
    const outcome = await db.transaction(async (tx) => {
      const claim = await repo.claimRefreshToken(tx, hashToken(refreshToken));
      if (claim.state === 'unknown') return { kind: 'unknown' as const };
      const found = await repo.findSessionWithUser(tx, claim.sessionId);
      if (!found) return { kind: 'unknown' as const };
      if (claim.state === 'reused') {
        const revoked = await repo.revokeSession(tx, claim.sessionId, 'refresh_token_reuse');
        await audit.record(tx, auditCtx(ctx, found.user), {
          action: 'auth.refresh_token_reused',
          targetType: 'session',
          targetId: claim.sessionId,
        });
        return { kind: 'reused' as const, sessionId: claim.sessionId, revoked: !!revoked };
      }
      const { session, user } = found;
      if (session.revokedAt || session.expiresAt.getTime() <= Date.now() || user.status !== 'active') {
        return { kind: 'ended' as const };
      }
      const t = tokens();
      await repo.rotateSessionTokens(tx, session.id, {
        accessTokenHash: hashToken(t.accessToken),
        refreshTokenHash: hashToken(t.refreshToken),
        // An access token never outlives its session.
        accessExpiresAt: new Date(Math.min(t.accessExpiresAt.getTime(), session.expiresAt.getTime())),
      });
      return {
        kind: 'ok' as const,
        issued: { user: toPublicUser(user), sessionId: session.id, ...t, expiresAt: session.expiresAt },
      };
    });
    if (outcome.kind === 'ok') return outcome.issued;
    if (outcome.kind === 'reused') {
      if (outcome.revoked) onSessionRevoked?.(outcome.sessionId);
      throw new AppError(
        401,
        'session_revoked',
        'This sign-in was used somewhere else, so it was ended. Sign in again.',
      );
    }
    throw new AppError(401, 'unauthenticated', 'Your session has ended. Sign in again.');
  }

  async function revoke(actor: Actor, sessionId: string, ctx: RequestContext, reason: string): Promise<void> {
    const found = await repo.findSessionWithUser(db, sessionId);
    // Another user's session answers 404, exactly like a missing one.
    if (!found) throw notFound('Session');
    assertOwnerOrAdmin(actor, found.session.userId, 'Session');
    await db.transaction(async (tx) => {
      const revoked = await repo.revokeSession(tx, sessionId, reason);
      if (revoked) {
        await audit.record(tx, auditCtx(ctx, { id: actor.userId, role: actor.role }), {
          action: reason === 'sign_out' ? 'auth.sign_out' : 'auth.session_revoked',
          targetType: 'session',
          targetId: sessionId,
        });
      }
    });
    onSessionRevoked?.(sessionId);
  }

  async function listSessions(actor: Actor): Promise<SessionInfo[]> {
    const rows = await repo.listActiveSessions(db, actor.userId);
    return rows.map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      lastUsedAt: s.lastUsedAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      userAgent: s.userAgent,
      current: s.id === actor.sessionId,
    }));
  }

  return {
    signIn,
    authenticate,
    refresh,
    signOut: (actor: Actor, ctx: RequestContext) => revoke(actor, actor.sessionId, ctx, 'sign_out'),
    revokeSession: (actor: Actor, sessionId: string, ctx: RequestContext) =>
      revoke(actor, sessionId, ctx, 'revoked_by_user'),
    listSessions,
    revokeOthers,
    changePassword,
    startSession,
    sessionsEnded,
    ipHash,
    auditContext: auditCtx,
  };
}
export type AuthService = ReturnType<typeof createAuthService>;

export function toPublicUser(u: { id: string; email: string; name: string; role: PublicUser['role'] }): PublicUser {
  return { id: u.id, email: u.email, name: u.name, role: u.role };
}

/**
 * Creates an admin account (the CLI), or with `onlyIfNoAdmin` the very first one
 * (BOOTSTRAP_ADMIN_*: once there is any admin, the variables are ignored, so a
 * renamed or removed admin is not recreated on the next restart).
 */
export async function ensureAdmin(
  db: Db,
  admin: { email: string; password: string; name: string },
  opts: { onlyIfNoAdmin?: boolean } = {},
): Promise<{ created: boolean; userId: string | null }> {
  if (opts.onlyIfNoAdmin && (await repo.anyAdminExists(db))) return { created: false, userId: null };
  const existing = await repo.findUserByEmail(db, admin.email);
  if (existing) return { created: false, userId: existing.id };
  const user = await repo.insertUser(db, {
    email: admin.email.toLowerCase(),
    name: admin.name,
    role: 'admin',
    status: 'active',
    passwordHash: await hashPassword(admin.password),
  });
  await audit.record(db, {}, { action: 'user.admin_created', targetType: 'user', targetId: user.id });
  return { created: true, userId: user.id };
}
