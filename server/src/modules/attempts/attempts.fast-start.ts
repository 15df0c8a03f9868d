// The claim and the begin in two statements each when nothing stands in their way
// (attempts.fast-start.repository.ts explains the statements). Each answers null whenever the
// transactional path must decide: the preview shows something that path would refuse or
// handle differently, or a row changed between the preview and the write. That path then
// refuses with the exact reason, or succeeds after the concurrent change. Only success is
// fast, so no refusal, message or audit entry differs between the two.
import type { AttemptResponse } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { ownsAttempt, type AttemptPrincipal } from '../../policy/access.ts';
import { attemptCookieValue, newAttemptToken } from '../../policy/attempt-cookie.ts';
import { planAttempt } from '../banks/draw.ts';
import { cameraStartGate } from '../camera/camera.service.ts';
import { assertStatusMayTakeExams } from './attempts.account.ts';
import { clockAtStart, examForParticipant } from './attempts.accommodation.ts';
import { assertBrowserAllowed } from './attempts.browser-check.ts';
import { beginIfUnchanged, beginPreview, claimAndCreate, entryPreview } from './attempts.fast-start.repository.ts';
import { canBegin, lobbyClosedReason } from './attempts.lobby.ts';
import {
  lobbyCookieExpires,
  startBlocker,
  toSummary,
  type StartContext,
  type StartedAttempt,
} from './attempts.service.ts';

/** True when `check` throws: the transactional path will say why. */
function refuses(check: () => unknown): boolean {
  try {
    check();
    return false;
  } catch {
    return true;
  }
}

export function createFastStart(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;
  return {
    /** Entering the lobby with a code, after the invitation was matched (its hash as read then). */
    async claim(
      match: { id: string; accessCodeHash: string },
      ctx: StartContext,
      ipHash: string,
    ): Promise<StartedAttempt | null> {
      const pre = await entryPreview(db, match.id);
      if (!pre) return null;
      const { participant, exam, live, used } = pre;
      if (participant.codeStatus !== 'unused' || participant.accessCodeHash !== match.accessCodeHash || live)
        return null;
      // The transactional path's checks, in its order (attempts.service.ts createAttempt).
      if (refuses(() => assertStatusMayTakeExams(pre.userStatus))) return null;
      if (refuses(() => assertBrowserAllowed(exam.proctoring, ctx.userAgent))) return null;
      if (startBlocker(examForParticipant(exam, participant), used)) return null;
      const orders = await planAttempt(db, exam, pre.questions, pre.hasSections);
      const { token, tokenHash } = newAttemptToken();
      const attemptNumber = used + 1;
      const created = await claimAndCreate(db, {
        participantId: participant.id,
        accessCodeHash: match.accessCodeHash,
        participantVersion: pre.participantVersion,
        usedAt: new Date(),
        examId: exam.id,
        examVersion: pre.examVersion,
        attemptNumber,
        questionOrder: orders.questionOrder,
        optionOrder: orders.optionOrder,
        drawnQuestions: orders.drawnQuestions,
        attemptTokenHash: tokenHash,
        ipHash,
        userAgent: ctx.userAgent?.slice(0, 300) ?? null,
        requestId: ctx.requestId ?? null,
        details: { examId: exam.id, via: 'code', attemptNumber },
      });
      if (!created) return null;
      return {
        response: { attempt: toSummary(created, exam), serverTime: new Date().toISOString() },
        attemptCookie: attemptCookieValue(created.id, token),
        cookieExpires: lobbyCookieExpires(exam),
      };
    },

    /**
     * Starting the clock of a lobby attempt that may start now, with no camera alert to raise.
     * The started attempt (for the expiry job and the hall row), or null.
     */
    async begin(attemptId: string, who: AttemptPrincipal, ctx: StartContext) {
      const pre = await beginPreview(db, attemptId);
      if (!pre || !ownsAttempt(who, pre.attempt) || pre.attempt.status !== 'not_started') return null;
      const { attempt: a, exam, acc } = pre;
      // The transactional begin's checks, in its order (attempts.lobby.ts begin).
      if (lobbyClosedReason(examForParticipant(exam, acc))) return null;
      if (refuses(() => assertBrowserAllowed(exam.proctoring, ctx.userAgent))) return null;
      if (!canBegin(exam)) return null;
      let gate: ReturnType<typeof cameraStartGate>['deniedSignal'] = null;
      if (refuses(() => (gate = cameraStartGate(exam, a).deniedSignal)) || gate) return null;
      const clock = clockAtStart(exam, acc);
      const started = await beginIfUnchanged(db, {
        attemptId: a.id,
        attemptVersion: pre.attemptVersion,
        examId: exam.id,
        examVersion: pre.examVersion,
        participantId: a.participantId,
        participantVersion: pre.participantVersion,
        durationSeconds: clock.durationSeconds,
        notAfter: clock.notAfter,
        accommodationSeconds: clock.accommodationSeconds,
        actorId: a.userId,
        actorRole: who.actor?.role ?? 'student',
        ipHash: keyedHash(secret, 'ip', ctx.ip),
        requestId: ctx.requestId ?? null,
        details: { examId: exam.id, attemptNumber: a.attemptNumber, startMode: exam.startMode },
      });
      if (!started) return null;
      const attempt = { ...started, examId: a.examId, participantId: a.participantId, questionOrder: a.questionOrder };
      const response: AttemptResponse = {
        attempt: toSummary(attempt, exam),
        serverTime: new Date().toISOString(),
      };
      return { attempt, response };
    },
  };
}
