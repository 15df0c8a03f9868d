// Resuming a running attempt on another device. A proctor (or the exam's teacher, or
// an admin) issues a one-time code bound to the attempt; the student types it with
// their email on the new device and gets a fresh attempt cookie for the SAME attempt:
// answers and clock stay on the server. The attempt's token is replaced, so the old
// device's cookie stops working, and its sockets are told why and closed.
//
// Codes look like access codes (60 bits, Crockford base32) and are stored only as an
// HMAC under the app secret, with their own purpose prefix so a resume code can never
// match an access code hash. They expire after 15 minutes and are single use: the claim
// locks the code's row, so of any number of concurrent claims exactly one wins.
import { createHmac } from 'node:crypto';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { ResumeCodeResponse, ResumeWithCodeBody } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { attemptResumeCodes, attempts, exams, LIVE_ATTEMPT_STATUSES, presence, users } from '../../db/schema/index.ts';

/** A lobby (entered, not started) can move to another device too: its student may have lost the first one. */
const MOVABLE_STATUSES = ['not_started', ...LIVE_ATTEMPT_STATUSES] as const;
import { AppError, notFound } from '../../http/errors.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import { keyedHash } from '../../lib/crypto.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { Caller } from '../../policy/actor.ts';
import { attemptCookieValue, newAttemptToken } from '../../policy/attempt-cookie.ts';
import { loadWatchableExam } from '../exams/exams.service.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { hallRows } from '../hall/hall.repository.ts';
import { formatCode, generateNormalizedCode, normalizeCode } from '../participants/access-codes.ts';
import type { CodeLimiter } from './attempts.rate-limit.ts';
import { assertMayTakeExams } from './attempts.account.ts';
import type { StartContext, StartedAttempt } from './attempts.service.ts';
import { lobbyCookieExpires, toSummary } from './attempts.service.ts';

export const RESUME_CODE_MINUTES = 15;
const CODE_HASH_UNIQUE = 'attempt_resume_codes_code_hash_uq';

/** The stored form: HMAC-SHA256 under the app secret, base64url. */
export function hashResumeCode(secret: string, normalized: string): string {
  return createHmac('sha256', secret).update(`resume-code:${normalized}`).digest('base64url');
}

function isCodeCollision(err: unknown): boolean {
  for (let e = err as { code?: string; constraint?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505' && e.constraint === CODE_HASH_UNIQUE) return true;
  }
  return false;
}

const wrongCode = () =>
  new AppError(
    401,
    'invalid_code',
    'That email and resume code do not match. Check both: the resume code comes from your proctor and looks like 7KQM-3XTR-9PWD.',
  );

export function createResumeCodes(deps: { db: Db; secret: string; limiter: CodeLimiter; publish: HallPublisher }) {
  const { db, secret, limiter, publish } = deps;

  async function insertCode(tx: Tx, attemptId: string, issuedBy: string) {
    // A hash collision at 60 bits is about one in 10^18, but it must not become an error for the proctor.
    for (let tries = 1; ; tries++) {
      const normalized = generateNormalizedCode();
      try {
        const row = await tx.transaction(async (sp) => {
          const [inserted] = await sp
            .insert(attemptResumeCodes)
            .values({
              attemptId,
              codeHash: hashResumeCode(secret, normalized),
              expiresAt: sql`now() + make_interval(mins => ${RESUME_CODE_MINUTES})`,
              issuedBy,
            })
            .returning();
          return inserted!;
        });
        return { row, code: formatCode(normalized) };
      } catch (err) {
        if (tries >= 3 || !isCodeCollision(err)) throw err;
      }
    }
  }

  return {
    /** Proctor, teacher or admin of the exam: a new code for a running or paused attempt (older ones stop working). */
    async issueResumeCode(caller: Caller, attemptId: string): Promise<ResumeCodeResponse> {
      const [a] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
      if (!a) throw notFound('Attempt');
      await loadWatchableExam(db, caller.actor, a.examId);
      return db.transaction(async (tx) => {
        // Locked: two proctors issuing at once leave exactly one valid code.
        const [live] = await tx
          .select({ id: attempts.id })
          .from(attempts)
          .where(and(eq(attempts.id, a.id), inArray(attempts.status, [...MOVABLE_STATUSES])))
          .for('update');
        if (!live) {
          throw new AppError(
            409,
            'invalid_transition',
            `This attempt is ${a.status.replace('_', ' ')}: only an attempt in the lobby, running or paused can move to another device.`,
          );
        }
        await tx
          .update(attemptResumeCodes)
          .set({ voidedAt: sql`now()` })
          .where(
            and(
              eq(attemptResumeCodes.attemptId, a.id),
              isNull(attemptResumeCodes.usedAt),
              isNull(attemptResumeCodes.voidedAt),
            ),
          );
        const { row, code } = await insertCode(tx, a.id, caller.actor.userId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'attempt.resume_code_issued',
          targetType: 'attempt',
          targetId: a.id,
          details: { examId: a.examId, resumeCodeId: row.id, expiresAt: row.expiresAt.toISOString() },
        });
        return { attemptId: a.id, code, expiresAt: row.expiresAt.toISOString() };
      });
    },

    /** Student on the new device: email + resume code -> a new attempt cookie for the same attempt. */
    async resumeWithCode(input: ResumeWithCodeBody, ctx: StartContext): Promise<StartedAttempt> {
      const ipKey = keyedHash(secret, 'ip', ctx.ip);
      const emailKey = keyedHash(secret, 'email', input.email);
      // Shares the access codes' budget: a guesser gains nothing by switching between the two forms.
      const guess = await limiter.reserve(ipKey, emailKey);
      let right = false;
      const normalized = normalizeCode(input.code);
      const outcome = !normalized
        ? null
        : await db
            .transaction(async (tx) => {
              // Row lock on the code: concurrent claims queue here and each sees the previous one's result.
              const [found] = await tx
                .select({
                  code: attemptResumeCodes,
                  expired: sql<boolean>`${attemptResumeCodes.expiresAt} <= now()`,
                  attempt: attempts,
                  email: users.email,
                  exam: {
                    title: exams.title,
                    durationMinutes: exams.durationMinutes,
                    availableAnytime: exams.availableAnytime,
                    endsAt: exams.endsAt,
                  },
                })
                .from(attemptResumeCodes)
                .innerJoin(attempts, eq(attempts.id, attemptResumeCodes.attemptId))
                .innerJoin(users, eq(users.id, attempts.userId))
                .innerJoin(exams, eq(exams.id, attempts.examId))
                .where(eq(attemptResumeCodes.codeHash, hashResumeCode(secret, normalized)))
                .for('update', { of: attemptResumeCodes });
              if (!found || found.email.toLowerCase() !== input.email) return null;
              // A real code for this email, whatever happens next (used, expired...): the guess is given back.
              right = true;
              const { code, attempt } = found;
              if (code.usedAt) {
                throw new AppError(
                  409,
                  'code_used',
                  'This resume code was already used. If you still cannot reach your exam, ask your proctor for a new resume code.',
                );
              }
              if (code.voidedAt) {
                throw new AppError(
                  409,
                  'code_used',
                  'This resume code was replaced by a newer one. Use the latest code your proctor gave you.',
                );
              }
              if (found.expired) {
                throw new AppError(
                  410,
                  'code_expired',
                  `This resume code expired at ${code.expiresAt.toISOString()}. Ask your proctor for a new one.`,
                );
              }
              if (!(MOVABLE_STATUSES as readonly string[]).includes(attempt.status)) {
                throw new AppError(
                  409,
                  'invalid_transition',
                  `This attempt is ${attempt.status.replace('_', ' ')}: there is nothing left to resume.`,
                );
              }
              await assertMayTakeExams(tx, attempt.userId);
              await tx
                .update(attemptResumeCodes)
                .set({ usedAt: sql`now()` })
                .where(eq(attemptResumeCodes.id, code.id));
              // A new token: the old device's attempt cookie no longer matches.
              const { token, tokenHash } = newAttemptToken();
              const [moved] = await tx
                .update(attempts)
                .set({
                  attemptTokenHash: tokenHash,
                  ipHash: ipKey,
                  userAgent: ctx.userAgent?.slice(0, 300) ?? null,
                })
                .where(eq(attempts.id, attempt.id))
                .returning();
              // The old device's connections end now: the new one must not count as a second device.
              await tx
                .update(presence)
                .set({ leftAt: sql`now()` })
                .where(and(eq(presence.attemptId, attempt.id), isNull(presence.leftAt)));
              await audit.record(
                tx,
                { actorId: attempt.userId, actorRole: 'student', ipHash: ipKey, requestId: ctx.requestId ?? null },
                {
                  action: 'attempt.resumed_on_new_device',
                  targetType: 'attempt',
                  targetId: attempt.id,
                  details: { examId: attempt.examId, resumeCodeId: code.id, issuedBy: code.issuedBy },
                },
              );
              return {
                response: { attempt: toSummary(moved!, found.exam), serverTime: new Date().toISOString() },
                attemptCookie: attemptCookieValue(moved!.id, token),
                cookieExpires: moved!.deadlineAt
                  ? new Date(moved!.deadlineAt.getTime() + 24 * 3_600_000)
                  : lobbyCookieExpires(found.exam),
                examId: moved!.examId,
                participantId: moved!.participantId,
              };
            })
            .finally(() => (right ? guess.right() : guess.wrong()));
      if (!outcome) throw wrongCode();
      // After commit: the old device hears why, then its sockets close; proctors see the connection drop.
      // Best effort: the move is committed and the code spent, so this device must get its cookie whatever happens here.
      publish.moved(outcome.response.attempt.id);
      await bestEffort(
        hallRows(db, outcome.examId, outcome.participantId).then(([row]) => row && publish.row(outcome.examId, row)),
        1000,
      );
      const { response, attemptCookie, cookieExpires } = outcome;
      return { response, attemptCookie, cookieExpires };
    },
  };
}
