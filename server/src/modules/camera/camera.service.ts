// Camera proctoring, the server's side: the lobby's consent and camera check, what the exam
// page's detector needs, the start gate of an exam that uses the camera, and the camera
// state the exam page reports (stored on the attempt, pushed to the exam's proctors).
// Detection runs in the student's browser; only states, the face description (identity
// mode) and scores arrive here, never a photo.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import {
  cameraSignalTypes,
  type CameraCheck,
  type CameraCheckBody,
  type CameraSetup,
  type CameraState,
  type CameraStatus,
  type ProctorSignal,
  type ProctorSignalType,
} from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Attempt, Exam } from '../../db/schema/index.ts';
import { AppError, badRequest, notFound, rateLimited } from '../../http/errors.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { ownsAttempt, type AttemptPrincipal } from '../../policy/access.ts';
import * as audit from '../audit/audit.service.ts';
import { cameraSettingsOf } from '../exams/exams.service.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import type { ProctoringService } from '../proctoring/proctoring.service.ts';
import * as repo from './camera.repository.ts';

/** A similarity change smaller than this is not worth a write (nor a push to the hall). */
export const SIMILARITY_STEP = 0.05;
/** Lobby camera checks per attempt per 15 minutes: plenty for fixing the light, not a flood. */
const CHECKS_PER_ATTEMPT = 30;

export interface RequestContext {
  ip: string;
  requestId?: string | undefined;
}

export const isCameraSignal = (type: ProctorSignalType) => (cameraSignalTypes as readonly string[]).includes(type);

/**
 * What a proctor:signal stores beyond its type: the detector's confidence and measure, for
 * camera signals only (a tab switch sent "with confidence 0" would otherwise count for nothing).
 */
export function signalExtras(input: Pick<ProctorSignal, 'type' | 'confidence' | 'measure'>): {
  confidence: number | undefined;
  measure: ProctorSignal['measure'];
} {
  if (!isCameraSignal(input.type)) return { confidence: undefined, measure: undefined };
  return { confidence: input.confidence, measure: input.measure };
}

/**
 * The start gate, inside the begin transaction. An exam without the camera starts as ever.
 * With deniedPolicy block, no start without consent and a check that saw the camera on:
 * 409 camera_check_required. With policy alert, the attempt starts and the answer says a
 * camera_denied signal is due (recorded after commit by `deniedAtStart`).
 */
export function cameraStartGate(
  exam: Pick<Exam, 'proctoring'>,
  a: Pick<Attempt, 'cameraConsentAt' | 'cameraState'>,
): { deniedSignal: null | 'denied' | 'no_check' } {
  const settings = cameraSettingsOf(exam);
  if (settings.mode === 'off') return { deniedSignal: null };
  if (a.cameraConsentAt && a.cameraState === 'on') return { deniedSignal: null };
  if (settings.deniedPolicy === 'block') {
    throw new AppError(
      409,
      'camera_check_required',
      a.cameraConsentAt
        ? 'This exam needs your camera, and the camera check did not succeed. Allow the camera in your browser (the camera icon in the address bar), make sure your face is in view, run the camera check again, then start.'
        : 'This exam needs your camera. Read what the camera check does, tick your consent and run the camera check in this lobby, then start.',
    );
  }
  return { deniedSignal: a.cameraConsentAt ? 'denied' : 'no_check' };
}

export function createCameraService(deps: {
  db: Db;
  redis: Redis;
  secret: string;
  publish: HallPublisher;
  proctoring: ProctoringService;
  config: { redis: { prefix: string } };
}) {
  const { db, secret, publish, proctoring } = deps;
  const checksPerAttempt = new RateLimiterRedis({
    storeClient: deps.redis,
    keyPrefix: `${deps.config.redis.prefix}:rl:camera-check`,
    points: CHECKS_PER_ATTEMPT,
    duration: 15 * 60,
  });

  async function ownAttempt(attemptId: string, who: AttemptPrincipal) {
    const row = await repo.attemptWithExam(db, attemptId);
    if (!row || !ownsAttempt(who, row.attempt)) throw notFound('Attempt');
    return row;
  }

  function toCheck(a: Attempt): CameraCheck {
    return {
      attemptId: a.id,
      consentAt: a.cameraConsentAt?.toISOString() ?? null,
      state: (a.cameraState as CameraCheck['state']) ?? null,
      faceVerificationCompleted: a.faceVerificationCompleted,
      faceVerificationScore: a.faceVerificationScore ?? null,
    };
  }

  return {
    /**
     * The lobby's consent and camera check, before Start; a repeated check replaces the
     * previous one. Refused once the attempt has started (409): the exam page reports the
     * camera from then on (camera:status), and the start gate has already been passed.
     */
    async check(attemptId: string, who: AttemptPrincipal, body: CameraCheckBody, ctx: RequestContext) {
      const { attempt, exam } = await ownAttempt(attemptId, who);
      const settings = cameraSettingsOf(exam);
      if (settings.mode === 'off') {
        throw new AppError(409, 'camera_not_used', 'This exam does not use the camera: there is nothing to check.');
      }
      const identity = settings.mode === 'identity' && body.state === 'ready';
      if (identity && !body.reference) {
        throw badRequest('This exam checks who takes it: send the face description captured by the camera check.', [
          { path: 'body.reference', message: 'required in identity mode when state is ready' },
        ]);
      }
      if (!identity && body.reference) {
        throw badRequest('Only an identity check with the camera ready sends a face description.', [
          {
            path: 'body.reference',
            message: body.state === 'denied' ? 'not allowed when state is denied' : 'not allowed in presence mode',
          },
        ]);
      }
      if (attempt.status !== 'not_started') {
        throw new AppError(409, 'conflict', 'The camera check is done in the lobby, before the exam starts.');
      }
      try {
        await checksPerAttempt.consume(attemptId);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        throw rateLimited(
          `Too many camera checks for this attempt. Try again in ${Math.ceil(e.msBeforeNext / 1000)} seconds.`,
          e.msBeforeNext / 1000,
        );
      }
      const saved = await db.transaction(async (tx) => {
        const row = await repo.saveCheck(tx, attemptId, {
          state: body.state === 'ready' ? 'on' : 'denied',
          faceReference: identity ? body.reference! : null,
          faceVerificationCompleted: identity,
          // Identity mode only: in presence mode there is nobody to verify against.
          faceVerificationScore: identity ? (body.faceScore ?? null) : null,
        });
        if (!row) {
          throw new AppError(409, 'conflict', 'The camera check is done in the lobby, before the exam starts.');
        }
        // What was decided, never the face description itself.
        await audit.record(
          tx,
          {
            actorId: attempt.userId,
            actorRole: who.actor?.role ?? 'student',
            ipHash: keyedHash(secret, 'ip', ctx.ip),
            requestId: ctx.requestId ?? null,
          },
          {
            action: 'attempt.camera_check',
            targetType: 'attempt',
            targetId: attemptId,
            details: { examId: exam.id, mode: settings.mode, state: row.cameraState, identity },
          },
        );
        return row;
      });
      return toCheck(saved);
    },

    /** What the exam page's detector needs; the reference only in identity mode. */
    async setup(attemptId: string, who: AttemptPrincipal): Promise<CameraSetup> {
      const { attempt, exam } = await ownAttempt(attemptId, who);
      const settings = cameraSettingsOf(exam);
      return {
        settings,
        consentAt: attempt.cameraConsentAt?.toISOString() ?? null,
        reference: settings.mode === 'identity' ? (attempt.faceReference ?? null) : null,
        state: (attempt.cameraState as CameraState | null) ?? null,
      };
    },

    /** After a begin that the gate let through without a working camera (policy alert): one camera_denied alert. */
    async deniedAtStart(a: Pick<Attempt, 'id' | 'examId' | 'userId'>, reason: 'denied' | 'no_check') {
      await proctoring.recordEvent(
        { id: a.id, examId: a.examId, userId: a.userId },
        'camera_denied',
        { reason, atStart: true },
        `camera-denied-start-${a.id}`,
        { confidence: 1 },
      );
    },

    /**
     * The exam page's camera state: stored and pushed to the proctors when it changed, or
     * when the identity score moved by more than SIMILARITY_STEP. Answers the state now.
     */
    async status(joined: { attemptId: string; examId: string }, input: CameraStatus): Promise<{ state: string }> {
      const row = await repo.attemptWithExam(db, joined.attemptId);
      if (!row) throw notFound('Attempt');
      const settings = cameraSettingsOf(row.exam);
      if (settings.mode === 'off') {
        throw new AppError(409, 'camera_not_used', 'This exam does not use the camera.');
      }
      if (row.attempt.status !== 'in_progress' && row.attempt.status !== 'paused') {
        throw new AppError(409, 'conflict', 'The camera is reported only while the exam runs.');
      }
      const similarity = settings.mode === 'identity' ? (input.similarity ?? null) : null;
      const saved = await repo.saveStatus(db, joined.attemptId, input.state, similarity, SIMILARITY_STEP);
      if (saved) {
        publish.camera(joined.examId, {
          examId: joined.examId,
          attemptId: saved.id,
          state: input.state,
          at: (saved.cameraStateAt ?? new Date()).toISOString(),
          faceVerificationScore: saved.faceVerificationScore ?? null,
        });
      }
      return { state: input.state };
    },

    /**
     * Whether the exam keeps an evidence frame for this (newly stored) signal: camera signals
     * the detector raised from a frame (not camera_off or camera_denied: there is no frame).
     */
    async wantsEvidence(examId: string, type: ProctorSignalType, stored: boolean): Promise<boolean> {
      if (!stored || !isCameraSignal(type) || type === 'camera_off' || type === 'camera_denied') return false;
      const row = await repo.examProctoring(db, examId);
      if (!row) return false;
      const settings = cameraSettingsOf(row);
      return settings.mode !== 'off' && settings.evidence;
    },
  };
}
export type CameraService = ReturnType<typeof createCameraService>;
