// Entering an exam: with email + one-time access code (no account password), or
// signed in. One transaction locks the participant row, checks the exam, marks the
// code used and creates the attempt with its fixed question and option order; of any
// number of concurrent claims exactly one wins, the rest get 409. A code claim that
// nothing stands in the way of takes the fast path first (attempts.fast-start.ts: one
// statement, written only if the rows it read are unchanged), and this transaction
// decides otherwise. The attempt waits in the lobby (`not_started`, no clock) until the
// student begins it (attempts.lobby.ts).
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { AttemptResponse, AttemptResult, AttemptSummary, MyExam, StartWithCodeBody } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, examParticipants, exams, questions, type Attempt, type Exam } from '../../db/schema/index.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { assertRole, ownsAttempt, type AttemptPrincipal } from '../../policy/access.ts';
import { attemptCookieValue, newAttemptToken } from '../../policy/attempt-cookie.ts';
import type { Actor } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import type { AuditContext } from '../audit/audit.service.ts';
import { findParticipantByCode } from '../participants/participants.codes.ts';
import { claimUnusedCode, lockedParticipant } from '../participants/participants.repository.ts';
import { planAttempt } from '../banks/draw.ts';
import type { CodeLimiter } from './attempts.rate-limit.ts';
import type { ExpiryScheduler } from './attempts.jobs.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { createResumeCodes } from './attempts.resume.ts';
import { createLobby } from './attempts.lobby.ts';
import type { CameraService } from '../camera/camera.service.ts';
import { assertStatusMayTakeExams } from './attempts.account.ts';
import { attemptById, entryState } from './attempts.start.repository.ts';
import { createFastStart } from './attempts.fast-start.ts';
import { assertBrowserAllowed } from './attempts.browser-check.ts';
import type { RowPusher } from '../hall/hall.rows.ts';
import { examForParticipant, type ParticipantAccommodation, ACCOMMODATION_COLUMNS } from './attempts.accommodation.ts';
import { resultFor } from '../grading/attempt-result.service.ts';

export interface StartContext {
  ip: string;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

export interface StartedAttempt {
  response: AttemptResponse;
  /** `{attemptId}.{token}` for the attempt cookie (null: keep the one this browser has); the token is stored only as a hash. */
  attemptCookie: string | null;
  cookieExpires: Date;
}

/** How long a lobby's attempt cookie lives: to the window's end, or a week for an exam available anytime; plus a day. */
export function lobbyCookieExpires(exam: Pick<Exam, 'availableAnytime' | 'endsAt'>, now = new Date()): Date {
  const until = !exam.availableAnytime && exam.endsAt ? exam.endsAt.getTime() : now.getTime() + 7 * 24 * 3_600_000;
  return new Date(until + 24 * 3_600_000);
}

const unavailable = (message: string) => new AppError(403, 'exam_not_available', message);

/** Why an exam cannot be started now, or null when it can. */
export function startBlocker(exam: Exam, attemptsUsed: number, now = new Date()): AppError | null {
  if (exam.deletedAt || exam.status === 'draft') return unavailable('This exam is not open yet.');
  if (exam.status === 'archived') return unavailable('This exam has been closed.');
  if (!exam.availableAnytime) {
    if (exam.startsAt && now < exam.startsAt) {
      return unavailable(`This exam opens at ${exam.startsAt.toISOString()}.`);
    }
    if (exam.endsAt && now >= exam.endsAt) return unavailable(`This exam closed at ${exam.endsAt.toISOString()}.`);
  }
  if (attemptsUsed >= exam.maxAttempts) {
    return new AppError(
      403,
      'attempt_limit_reached',
      `You have used all ${exam.maxAttempts} attempt(s) allowed for this exam.`,
    );
  }
  return null;
}

export function toSummary(
  a: Pick<
    Attempt,
    | 'id'
    | 'examId'
    | 'status'
    | 'attemptNumber'
    | 'startedAt'
    | 'deadlineAt'
    | 'pausedAt'
    | 'submittedAt'
    | 'questionOrder'
  >,
  exam: Pick<Exam, 'title' | 'durationMinutes'>,
): AttemptSummary {
  return {
    id: a.id,
    examId: a.examId,
    examTitle: exam.title,
    status: a.status,
    attemptNumber: a.attemptNumber,
    startedAt: a.startedAt?.toISOString() ?? null,
    deadlineAt: a.deadlineAt?.toISOString() ?? null,
    pausedAt: a.pausedAt?.toISOString() ?? null,
    submittedAt: a.submittedAt?.toISOString() ?? null,
    questionCount: a.questionOrder.length,
    durationMinutes: exam.durationMinutes,
  };
}

export function createAttemptService(deps: {
  db: Db;
  secret: string;
  limiter: CodeLimiter;
  expiry: ExpiryScheduler;
  publish: HallPublisher;
  /** For the verification link of a result's certificate. */
  publicUrl: string;
  /** The camera start gate's alert (camera proctoring with deniedPolicy alert). */
  camera: Pick<CameraService, 'deniedAtStart'>;
  /**
   * The process's roster pusher (one per process: modules/registry.ts). Rows of students who
   * enter a lobby or begin reach the proctors within a second, one roster query per exam for
   * all of them: at an exam's start thousands arrive at once.
   */
  rows: RowPusher;
}) {
  const { db, secret, limiter, rows } = deps;
  /** After commit: proctors see the student arrive in the lobby (within a second). */
  function announced(entered: StartedAttempt, participantId: string): StartedAttempt {
    rows.pushRowSoon({ examId: entered.response.attempt.examId, participantId });
    return entered;
  }
  const ipHash = (ip: string) => keyedHash(secret, 'ip', ip);
  const fast = createFastStart({ db, secret });

  /** Inside the caller's transaction, with the participant row already locked. */
  async function createAttempt(
    tx: Tx,
    participant: { id: string; examId: string; userId: string } & ParticipantAccommodation,
    ctx: StartContext,
    auditCtx: AuditContext,
    via: 'code' | 'account',
  ): Promise<StartedAttempt> {
    // One statement: the exam share-locked (question edits, which lock it for update, wait until
    // this attempt exists), the account's status, the live attempt and the attempts used.
    const state = await entryState(tx, participant.examId, participant.id, participant.userId);
    if (!state) throw notFound('Exam');
    const { exam, live, used } = state;
    // With a code, a suspended account takes no exam (attempts.account.ts); checked first, as before.
    if (via === 'code') assertStatusMayTakeExams(state.userStatus);
    assertBrowserAllowed(exam.proctoring, ctx.userAgent);
    // Signed in, coming back to the lobby (another tab, a reload of My exams): the same attempt.
    if (live?.status === 'not_started' && via === 'account') {
      const same = await attemptById(tx, live.id);
      if (same) {
        return {
          response: { attempt: toSummary(same, exam), serverTime: new Date().toISOString() },
          attemptCookie: null,
          cookieExpires: lobbyCookieExpires(exam),
        };
      }
    }
    if (live) {
      throw new AppError(
        409,
        'attempt_in_progress',
        live.status === 'not_started'
          ? 'You already entered the lobby of this exam on another device. Continue there, or ask your proctor for a resume code to continue on this one.'
          : 'You already have an attempt in progress for this exam. If you were taking it on another device, ask your proctor for a resume code.',
      );
    }
    // The participant's own window and extra attempts (accommodations) replace the exam's.
    const blocker = startBlocker(examForParticipant(exam, participant), used);
    if (blocker) throw blocker;

    const qs = await tx
      .select({
        id: questions.id,
        type: questions.type,
        content: questions.content,
        answerKey: questions.answerKey,
        position: questions.position,
      })
      .from(questions)
      .where(and(eq(questions.examId, exam.id), eq(questions.isActive, true)))
      .orderBy(questions.position);
    // The exam's own questions, then what its sections give this attempt (banks/draw.ts).
    const orders = await planAttempt(tx, exam, qs);
    const { token, tokenHash } = newAttemptToken();
    const [created] = await tx
      .insert(attempts)
      .values({
        examId: exam.id,
        participantId: participant.id,
        userId: participant.userId,
        attemptNumber: used + 1,
        questionOrder: orders.questionOrder,
        optionOrder: orders.optionOrder,
        drawnQuestions: orders.drawnQuestions,
        attemptTokenHash: tokenHash,
        ipHash: ipHash(ctx.ip),
        userAgent: ctx.userAgent?.slice(0, 300) ?? null,
      })
      .returning();
    const entered = created!;
    await audit.record(tx, auditCtx, {
      action: 'attempt.entered_lobby',
      targetType: 'attempt',
      targetId: entered.id,
      details: { examId: exam.id, via, attemptNumber: entered.attemptNumber },
    });
    return {
      response: { attempt: toSummary(entered, exam), serverTime: new Date().toISOString() },
      attemptCookie: attemptCookieValue(entered.id, token),
      cookieExpires: lobbyCookieExpires(exam),
    };
  }

  return {
    ...createResumeCodes(deps),
    ...createLobby({ ...deps, rows }),

    async startWithCode(input: StartWithCodeBody, ctx: StartContext): Promise<StartedAttempt> {
      const ipKey = ipHash(ctx.ip);
      const emailKey = keyedHash(secret, 'email', input.email);
      const guess = await limiter.reserve(ipKey, emailKey);
      let right = false;
      const outcome = await (async () => {
        // The invitation is looked up before the transaction (a wrong code costs no BEGIN and
        // COMMIT); the claim re-checks its hash under the row lock.
        const match = await findParticipantByCode(db, secret, input.email, input.code);
        if (!match) return null;
        const claimed = await fast.claim(match, ctx, ipKey);
        if (claimed) {
          right = true;
          return { started: claimed, participantId: match.id };
        }
        return db.transaction(async (tx) => {
          // Marks the code used and takes the row lock in one statement: concurrent claims of
          // this code queue here, and each sees the previous one's result. Any refusal below
          // rolls the mark back with the transaction.
          const usedAt = new Date();
          let participant = await claimUnusedCode(tx, match.id, match.accessCodeHash, usedAt);
          if (!participant) {
            // Not claimable: lock the row and say why (used, voided, or its code changed meanwhile).
            const row = await lockedParticipant(tx, match.id);
            if (!row || row.accessCodeHash !== match.accessCodeHash) return null;
            right = true;
            if (row.codeStatus === 'used') {
              throw new AppError(
                409,
                'code_used',
                'This code was already used. If you were taking the exam on another device, ask your proctor for a resume code.',
              );
            }
            if (row.codeStatus === 'voided') {
              throw new AppError(
                409,
                'code_used',
                'This access code is no longer valid. Ask your teacher for a new one.',
              );
            }
            // Unused again between the two statements: the row is locked now, so this claim holds.
            participant = await claimUnusedCode(tx, match.id, match.accessCodeHash, usedAt);
            if (!participant) return null;
          }
          // Right code, whatever happens next (suspended, exam closed...): the guess is given back.
          right = true;
          const auditCtx = {
            actorId: participant.userId,
            actorRole: 'student',
            ipHash: ipKey,
            requestId: ctx.requestId ?? null,
          };
          const started = await createAttempt(tx, participant, ctx, auditCtx, 'code');
          return { started, participantId: participant.id };
        });
      })().finally(() => (right ? guess.right() : guess.wrong()));
      if (outcome) return announced(outcome.started, outcome.participantId);
      throw new AppError(
        401,
        'invalid_code',
        'That email and access code do not match an invitation. Check both; codes look like 7KQM-3XTR-9PWD.',
      );
    },

    async startSignedIn(actor: Actor, examId: string, ctx: StartContext): Promise<StartedAttempt> {
      assertRole(actor, ['student']);
      const started = await db.transaction(async (tx) => {
        const [participant] = await tx
          .select()
          .from(examParticipants)
          .where(and(eq(examParticipants.examId, examId), eq(examParticipants.userId, actor.userId)))
          .for('update');
        if (!participant) throw notFound('Exam');
        const entered = await createAttempt(
          tx,
          participant,
          ctx,
          { actorId: actor.userId, actorRole: actor.role, ipHash: ipHash(ctx.ip), requestId: ctx.requestId ?? null },
          'account',
        );
        return { entered, participantId: participant.id };
      });
      return announced(started.entered, started.participantId);
    },

    /** The attempt for its signed-in owner or the holder of its attempt cookie; 404 for anyone else. */
    async get(attemptId: string, who: AttemptPrincipal): Promise<AttemptResponse> {
      const [row] = await db
        .select({ attempt: attempts, exam: { title: exams.title, durationMinutes: exams.durationMinutes } })
        .from(attempts)
        .innerJoin(exams, eq(exams.id, attempts.examId))
        .where(eq(attempts.id, attemptId));
      if (!row || !ownsAttempt(who, row.attempt)) throw notFound('Attempt');
      return { attempt: toSummary(row.attempt, row.exam), serverTime: new Date().toISOString() };
    },

    /** What the attempt's student may see of their result (grading/attempt-result.service.ts). */
    result(attemptId: string, who: AttemptPrincipal): Promise<AttemptResult> {
      return resultFor(db, deps.publicUrl, attemptId, who);
    },

    /** A signed-in student's exams: one query for participants, exams and latest attempts. */
    async myExams(actor: Actor): Promise<MyExam[]> {
      const latest = db
        .select({
          participantId: attempts.participantId,
          id: attempts.id,
          status: attempts.status,
          deadlineAt: attempts.deadlineAt,
          used: sql<number>`count(*) over (partition by ${attempts.participantId})`.as('used'),
          rank: sql<number>`row_number() over (partition by ${attempts.participantId} order by ${attempts.attemptNumber} desc)`.as(
            'rank',
          ),
        })
        .from(attempts)
        .where(eq(attempts.userId, actor.userId))
        .as('latest');
      const rows = await db
        .select({
          exam: exams,
          acc: ACCOMMODATION_COLUMNS,
          latestId: latest.id,
          latestStatus: latest.status,
          latestDeadline: latest.deadlineAt,
          used: latest.used,
        })
        .from(examParticipants)
        .innerJoin(exams, eq(exams.id, examParticipants.examId))
        .leftJoin(latest, and(eq(latest.participantId, examParticipants.id), eq(latest.rank, 1)))
        .where(and(eq(examParticipants.userId, actor.userId), isNull(exams.deletedAt), sql`${exams.status} <> 'draft'`))
        .orderBy(desc(exams.startsAt));
      return rows.map(({ exam: examRow, acc, latestId, latestStatus, latestDeadline, used: usedCount }) => {
        const exam = examForParticipant(examRow, acc);
        const used = Number(usedCount ?? 0);
        const live = latestStatus === 'in_progress' || latestStatus === 'paused';
        const lobby = latestStatus === 'not_started';
        const blocker = live || lobby ? null : startBlocker(exam, used);
        return {
          examId: exam.id,
          title: exam.title,
          durationMinutes: exam.durationMinutes,
          availableAnytime: exam.availableAnytime,
          startsAt: exam.startsAt?.toISOString() ?? null,
          endsAt: exam.endsAt?.toISOString() ?? null,
          attemptsUsed: used,
          maxAttempts: exam.maxAttempts,
          latestAttempt:
            latestId && latestStatus
              ? { id: latestId, status: latestStatus, deadlineAt: latestDeadline?.toISOString() ?? null }
              : null,
          canStart: !live && !lobby && !blocker,
          reason: live
            ? 'Your attempt is in progress.'
            : lobby
              ? 'You are in the lobby: open it to start.'
              : (blocker?.message ?? null),
        };
      });
    },
  };
}
export type AttemptService = ReturnType<typeof createAttemptService>;

/** The attempt if `who` is its student (signed in as them, or holding its cookie); 404 otherwise. */
export async function loadOwnAttempt(db: Db | Tx, who: AttemptPrincipal, attemptId: string): Promise<Attempt> {
  const [a] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
  if (!a || !ownsAttempt(who, a)) throw notFound('Attempt');
  return a;
}

export type { Tx };
