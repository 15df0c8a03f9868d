// The account lifecycle people drive themselves: accepting an invitation, resetting a
// forgotten password, confirming an email address, and a student who started with an
// access code keeping their account from the result page. Teachers send activation links to
// the participants of an exam. Every change is audited in its transaction; links are
// delivered (mailed or handed back) only after it commits.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type {
  AcceptInvitationBody,
  AccountLinkPurpose,
  ActivationLinkRow,
  ActivationLinksResponse,
  ClaimAccountBody,
  PasswordResetBody,
  PasswordResetRequestBody,
  VerifyEmailBody,
} from '@exam-hall/protocol';
import type { Config } from '../../config/config.ts';
import type { Db, Tx } from '../../db/client.ts';
import { AppError, conflict, rateLimited } from '../../http/errors.ts';
import { hashToken, keyedHash } from '../../lib/crypto.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import { createGuessLimiter, waitPhrase } from '../attempts/attempts.rate-limit.ts';
import { hashPassword } from '../auth/auth.passwords.ts';
import type { AuthService, IssuedSession, RequestContext } from '../auth/auth.service.ts';
import { loadExamFor } from '../exams/exams.service.ts';
import { loadOwnAttempt } from '../attempts/attempts.service.ts';
import type { AccountLinks } from './accounts.links.ts';
import * as repo from './accounts.repository.ts';

export interface AccountServiceDeps {
  db: Db;
  redis: Redis;
  config: Config;
  auth: AuthService;
  links: AccountLinks;
}

/** What to do about a link that does not work, per kind of link. */
const NEW_LINK: Record<AccountLinkPurpose, string> = {
  invitation: 'Ask your teacher or administrator to send you a new invitation.',
  password_reset: 'Ask for a new one on the "Forgot your password?" page.',
  email_verification:
    'Sign in to find out whether your address is confirmed already; if not, use "Forgot your password?" to get a new link (it confirms your address too).',
};

const USED_HINT: Record<AccountLinkPurpose, string> = {
  invitation: 'If you already chose your password, sign in with it.',
  password_reset: 'If you already chose a new password, sign in with it.',
  email_verification: 'If you already confirmed your address, sign in.',
};

function linkProblem(purpose: AccountLinkPurpose, state: repo.TokenState): AppError {
  if (state === 'unknown') {
    return new AppError(
      400,
      'link_invalid',
      `This link is not valid: it may be cut off or mistyped. Open it again from your email (the whole address). ${NEW_LINK[purpose]}`,
    );
  }
  if (state === 'expired') {
    return new AppError(410, 'link_expired', `This link has expired. ${NEW_LINK[purpose]}`);
  }
  return new AppError(
    410,
    'link_used',
    `This link was already used, or a newer one was sent since. ${USED_HINT[purpose]} Otherwise: ${NEW_LINK[purpose]}`,
  );
}

const minutes = (ms: number) => waitPhrase(ms);

/** How long a link works, in the unit people think in: "60 minutes", "48 hours", "7 days". */
export function lifetime(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours >= 72 && Number.isInteger(hours / 24)) return `${hours / 24} days`;
  if (hours >= 2 && Number.isInteger(hours)) return `${hours} hours`;
  const m = Math.round(ms / 60_000);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

export function createAccountService({ db, redis, config, auth, links }: AccountServiceDeps) {
  const prefix = config.redis.prefix;
  // Links are 256-bit random, so guessing one is hopeless; the limit stops someone from
  // trying at all, and keeps password hashing (costly) behind it. Only tokens that exist
  // nowhere count: a used or expired link of one's own is a mistake, not a guess.
  const tokenGuesses = createGuessLimiter(redis, {
    keyPrefix: `${prefix}:rl:account-link`,
    limits: { maxWrongPerIp: 100, freeTries: 10, delayBaseSeconds: 2, delayMaxSeconds: 60 },
    wording: { guesses: 'links that do not work', target: 'from this device' },
  });
  // Reset requests mail a person: a few per address per hour, whoever asks, and a budget per network.
  const resetPerEmail = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:reset:email`,
    points: 3,
    duration: 60 * 60,
  });
  const resetPerIp = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:reset:ip`,
    points: 300,
    duration: 15 * 60,
  });
  // Claiming hashes a password: a handful of tries per attempt.
  const claimPerAttempt = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:claim:attempt`,
    points: 10,
    duration: 15 * 60,
  });
  // Activation links mail a whole class: a few rounds per teacher per hour.
  const activationPerActor = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:rl:activation:actor`,
    points: 10,
    duration: 60 * 60,
  });

  async function consume(limiter: RateLimiterRedis, key: string, message: (wait: string) => string) {
    try {
      await limiter.consume(key);
    } catch (e) {
      if (!(e instanceof RateLimiterRes)) throw e;
      throw rateLimited(message(minutes(e.msBeforeNext)), e.msBeforeNext / 1000);
    }
  }

  const ipKey = (ctx: RequestContext) => keyedHash(config.secret, 'ip', ctx.ip);

  /**
   * Reserves a guess for this IP, then says whether the token is a live link of this kind.
   * A link that exists (even used or expired) gives its reservation back.
   */
  async function checkToken(purpose: AccountLinkPurpose, token: string, ctx: RequestContext): Promise<string> {
    const guess = await tokenGuesses.reserve(ipKey(ctx), ipKey(ctx));
    const tokenHash = hashToken(token);
    const state = await repo.tokenState(db, tokenHash, purpose);
    if (state !== 'unknown') await guess.right();
    if (state !== 'live') throw linkProblem(purpose, state);
    return tokenHash;
  }

  /** Uses the token inside the transaction (exactly once, whatever runs in parallel). */
  async function useToken(tx: Tx, tokenHash: string, purpose: AccountLinkPurpose) {
    const used = await repo.useToken(tx, tokenHash, purpose);
    if (!used.ok) throw linkProblem(purpose, used.state);
    const user = await repo.findUserForUpdate(tx, used.userId);
    if (!user) throw linkProblem(purpose, 'unknown');
    if (user.status === 'suspended') {
      throw new AppError(403, 'forbidden', 'This account is suspended. Ask an administrator.');
    }
    return user;
  }

  async function acceptInvitation(body: AcceptInvitationBody, ctx: RequestContext): Promise<IssuedSession> {
    const tokenHash = await checkToken('invitation', body.token, ctx);
    const passwordHash = await hashPassword(body.password);
    return db.transaction(async (tx) => {
      const user = await useToken(tx, tokenHash, 'invitation');
      if (user.passwordHash) {
        throw conflict(
          'This account already has a password: sign in with it, or use "Forgot your password?" on the sign-in page.',
        );
      }
      const updated = await repo.updateUser(tx, user.id, {
        passwordHash,
        status: 'active',
        emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
        ...(body.name ? { name: body.name } : {}),
      });
      await audit.record(tx, auth.auditContext(ctx, updated), {
        action: 'account.invitation_accepted',
        targetType: 'user',
        targetId: user.id,
        details: { nameChanged: !!body.name && body.name !== user.name },
      });
      return auth.startSession(tx, updated, ctx);
    });
  }

  const resetAnswer = () =>
    links.mailConfigured
      ? `If an account uses this address, we sent it a link to choose a new password. The link works for ${lifetime(config.accountLinks.passwordResetTtlMs)}. No mail after a few minutes? Check your spam folder, or ask an administrator.`
      : 'This exam hall cannot send mail, so no link can be sent. Ask an administrator: they can give you a link to choose a new password from the admin console.';

  async function requestPasswordReset(body: PasswordResetRequestBody, ctx: RequestContext): Promise<string> {
    await consume(resetPerIp, ipKey(ctx), (w) => `Too many reset requests from your network. Try again in ${w}.`);
    // Keyed by the address typed, whether or not it has an account: the limit reveals nothing.
    await consume(
      resetPerEmail,
      keyedHash(config.secret, 'account', body.email),
      (w) => `Too many reset requests for this address. Try again in ${w}.`,
    );
    if (!links.mailConfigured) return resetAnswer();
    const user = await repo.findUserByEmail(db, body.email);
    if (!user || (user.status !== 'active' && user.status !== 'pending_verification')) return resetAnswer();
    const link = await db.transaction(async (tx) => {
      const issued = await links.issue(tx, { userId: user.id, purpose: 'password_reset', createdBy: null });
      await audit.record(tx, auth.auditContext(ctx), {
        action: 'account.password_reset_requested',
        targetType: 'user',
        targetId: user.id,
      });
      return issued;
    });
    // Not awaited: the answer must take as long whether or not the address has an account.
    void links.deliver(user, 'password_reset', link).catch(() => undefined);
    return resetAnswer();
  }

  async function resetPassword(body: PasswordResetBody, ctx: RequestContext): Promise<void> {
    const tokenHash = await checkToken('password_reset', body.token, ctx);
    const passwordHash = await hashPassword(body.password);
    const ended = await db.transaction(async (tx) => {
      // An invited account (an administrator sent it a reset link) becomes active the same way.
      const user = await useToken(tx, tokenHash, 'password_reset');
      const updated = await repo.updateUser(tx, user.id, {
        passwordHash,
        // The link reached the address: it is confirmed.
        status: 'active',
        emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
      });
      const ids = await repo.revokeUserSessions(tx, user.id, 'password_reset');
      await audit.record(tx, auth.auditContext(ctx, updated), {
        action: 'account.password_reset',
        targetType: 'user',
        targetId: user.id,
        details: { endedSessions: ids.length },
      });
      return ids;
    });
    auth.sessionsEnded(ended);
  }

  async function verifyEmail(body: VerifyEmailBody, ctx: RequestContext): Promise<string> {
    const tokenHash = await checkToken('email_verification', body.token, ctx);
    return db.transaction(async (tx) => {
      const user = await useToken(tx, tokenHash, 'email_verification');
      const wasPending = user.status === 'pending_verification';
      const updated = await repo.updateUser(tx, user.id, {
        emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
        ...(wasPending ? { status: 'active' as const } : {}),
      });
      await audit.record(tx, auth.auditContext(ctx, updated), {
        action: 'account.email_verified',
        targetType: 'user',
        targetId: user.id,
      });
      return `Your email address ${user.email} is confirmed. You can sign in now.`;
    });
  }

  type ClaimResult =
    { outcome: 'signed_in'; session: IssuedSession } | { outcome: 'verification_sent'; email: string; message: string };

  async function claimAccount(
    attemptId: string,
    who: { actor: Actor | null; attemptCookie: string | null },
    body: ClaimAccountBody,
    ctx: RequestContext,
  ): Promise<ClaimResult> {
    const attempt = await loadOwnAttempt(db, who, attemptId);
    await consume(
      claimPerAttempt,
      attempt.id,
      (w) => `Too many tries to create a password for this result. Try again in ${w}.`,
    );
    const owner = await repo.findUserById(db, attempt.userId);
    if (!owner || owner.status !== 'invited' || owner.passwordHash) {
      throw conflict(
        owner?.status === 'suspended'
          ? 'This account is suspended. Ask an administrator.'
          : 'This account already has a password: sign in with it, or use "Forgot your password?" on the sign-in page.',
      );
    }
    const passwordHash = await hashPassword(body.password);
    const withMail = links.mailConfigured;
    const done = await db.transaction(async (tx) => {
      const user = await repo.findUserForUpdate(tx, owner.id);
      // Checked again under the row lock: two claims at once set one password.
      if (!user || user.status !== 'invited' || user.passwordHash) {
        throw conflict('This account already has a password: sign in with it.');
      }
      const updated = await repo.updateUser(
        tx,
        user.id,
        withMail
          ? { passwordHash, status: 'pending_verification' }
          : { passwordHash, status: 'active', emailVerifiedAt: new Date() },
      );
      await audit.record(tx, auth.auditContext(ctx, updated), {
        action: 'account.claimed',
        targetType: 'user',
        targetId: user.id,
        details: { attemptId: attempt.id, confirmation: withMail ? 'email' : 'none' },
      });
      if (!withMail)
        return { kind: 'session' as const, user: updated, session: await auth.startSession(tx, updated, ctx) };
      const link = await links.issue(tx, { userId: user.id, purpose: 'email_verification', createdBy: null });
      return { kind: 'link' as const, user: updated, link };
    });
    if (done.kind === 'session') return { outcome: 'signed_in', session: done.session };
    const outcome = await links.deliver(done.user, 'email_verification', done.link);
    const message =
      outcome.delivery === 'email'
        ? `Your password is saved. We sent a link to ${done.user.email}: open it to confirm your address, then sign in. It works for ${lifetime(config.accountLinks.emailVerificationTtlMs)}.`
        : `Your password is saved, but the confirmation mail to ${done.user.email} could not be sent just now. Use "Forgot your password?" on the sign-in page later to get a new link, or ask your teacher.`;
    return { outcome: 'verification_sent', email: done.user.email, message };
  }

  /** Invitation links for every participant of the exam whose account has no password yet. */
  async function sendActivationLinks(caller: Caller, examId: string): Promise<ActivationLinksResponse> {
    await loadExamFor(db, caller.actor, examId);
    await consume(
      activationPerActor,
      caller.actor.userId,
      (w) => `Activation links were sent many times in the last hour. Try again in ${w}.`,
    );
    const { issued, skipped } = await db.transaction(async (tx) => {
      await loadExamFor(tx, caller.actor, examId, { forUpdate: true });
      const people = await repo.participantAccounts(tx, examId);
      const eligible = people.filter((p) => p.status === 'invited' && p.hasPassword === null);
      const out: { userId: string; email: string; name: string; link: { url: string; expiresAt: Date } }[] = [];
      for (const p of eligible) {
        const link = await links.issue(tx, { userId: p.userId, purpose: 'invitation', createdBy: caller.actor.userId });
        await audit.record(tx, auditContextOf(config.secret, caller), {
          action: 'account.invitation_issued',
          targetType: 'user',
          targetId: p.userId,
          details: { examId },
        });
        out.push({ userId: p.userId, email: p.email, name: p.name, link });
      }
      return { issued: out, skipped: people.length - eligible.length };
    });
    const rows: ActivationLinkRow[] = new Array(issued.length);
    let next = 0;
    // A few mails at a time: one slow mail server connection does not serialise a class.
    await Promise.all(
      Array.from({ length: Math.min(4, issued.length) }, async () => {
        while (next < issued.length) {
          const i = next++;
          const p = issued[i]!;
          const outcome = await links.deliver(p, 'invitation', p.link);
          rows[i] = { userId: p.userId, email: p.email, name: p.name, outcome };
        }
      }),
    );
    return { skipped, rows };
  }

  return { acceptInvitation, requestPasswordReset, resetPassword, verifyEmail, claimAccount, sendActivationLinks };
}
export type AccountService = ReturnType<typeof createAccountService>;
