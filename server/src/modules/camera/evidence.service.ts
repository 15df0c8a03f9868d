// Evidence frames: the student's page uploads one small JPEG per camera alert (when the
// exam keeps evidence); it is sealed at rest (evidence.crypto.ts) and shown only to whoever
// may watch the exam, through an address signed for them that works for EVIDENCE_URL_SECONDS.
// Every upload and every view is audited, never with the image.
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import {
  EVIDENCE_MAX_BYTES,
  EVIDENCE_MAX_SIDE,
  EVIDENCE_URL_SECONDS,
  cameraSignalTypes,
  type Evidence,
  type EvidenceUrl,
} from '@exam-hall/protocol';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/client.ts';
import type { ProctoringEvidence } from '../../db/schema/index.ts';
import { AppError, badRequest, conflict, notFound, rateLimited } from '../../http/errors.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import type { Caller } from '../../policy/actor.ts';
import { ownsAttempt, type AttemptPrincipal } from '../../policy/access.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { cameraSettingsOf, loadWatchableExam } from '../exams/exams.service.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { toEventDto } from '../proctoring/proctoring.service.ts';
import { findEvent } from '../proctoring/proctoring.repository.ts';
import {
  evidenceKeysOf,
  evidenceSignature,
  jpegSize,
  openFrame,
  sealFrame,
  verifyEvidenceSignature,
} from './evidence.crypto.ts';
import * as repo from './evidence.repository.ts';
import { attachEvidence } from './evidence.repository.ts';

const DAY_MS = 86_400_000;
const UPLOADABLE = new Set(['in_progress', 'paused']);
const CAMERA_TYPES = new Set<string>(cameraSignalTypes);

export function toEvidenceDto(e: ProctoringEvidence): Evidence {
  return {
    id: e.id,
    eventId: e.eventId,
    bytes: e.bytes,
    createdAt: e.createdAt.toISOString(),
    expiresAt: e.expiresAt.toISOString(),
    deletedAt: e.deletedAt?.toISOString() ?? null,
  };
}

/** The signed address of a frame for one viewer, valid EVIDENCE_URL_SECONDS from `nowMs`. */
export function signedEvidenceUrl(secret: string, id: string, userId: string, nowMs = Date.now()): EvidenceUrl {
  const exp = Math.floor(nowMs / 1000) + EVIDENCE_URL_SECONDS;
  const sig = evidenceSignature(secret, id, exp, userId);
  return { url: `/api/evidence/${id}?exp=${exp}&sig=${sig}`, expiresAt: new Date(exp * 1000).toISOString() };
}

export interface UploadContext {
  ip: string;
  requestId: string;
  contentType: string | undefined;
}

export function createEvidenceService(deps: {
  db: Db;
  redis: Redis;
  config: Pick<Config, 'redis' | 'evidence'>;
  secret: string;
  publish: HallPublisher;
}) {
  const { db, secret, publish } = deps;
  const keys = evidenceKeysOf(secret, deps.config.evidence);
  const limiter = (name: string, points: number, duration: number) =>
    new RateLimiterRedis({
      storeClient: deps.redis,
      keyPrefix: `${deps.config.redis.prefix}:rl:evidence:${name}`,
      points,
      duration,
    });
  // One frame per alert, and alerts are few: a page stuck in a loop stops here.
  const uploadsPerAttempt = limiter('upload', 30, 10 * 60);
  // A hall of 300 students with a few thumbnails each, reopened now and then.
  const urlsPerUser = limiter('url', 600, 60);
  const viewsPerUser = limiter('view', 600, 60);

  async function consume(l: RateLimiterRedis, key: string, what: string) {
    try {
      await l.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.ceil(err.msBeforeNext / 1000);
      throw rateLimited(`Too many ${what}. Try again in ${seconds} s.`, seconds);
    }
  }

  return {
    /** Student: the frame of one camera alert of their own running attempt. */
    async upload(
      who: AttemptPrincipal,
      attemptId: string,
      clientEventId: string,
      raw: Buffer,
      ctx: UploadContext,
    ): Promise<Evidence> {
      const found = await repo.attemptWithExam(db, attemptId);
      if (!found || !ownsAttempt(who, found.attempt)) throw notFound('Attempt');
      const { attempt, exam } = found;
      await consume(uploadsPerAttempt, attempt.id, 'evidence uploads for this attempt');
      const type = (ctx.contentType ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'image/jpeg') {
        throw new AppError(
          415,
          'unsupported_media_type',
          'Send the frame itself as the body, with Content-Type: image/jpeg.',
          { fields: [{ path: 'body', message: 'must be a JPEG image (Content-Type: image/jpeg)' }] },
        );
      }
      if (raw.length > EVIDENCE_MAX_BYTES) {
        throw new AppError(413, 'payload_too_large', `An evidence frame may be at most ${EVIDENCE_MAX_BYTES} bytes.`, {
          fields: [{ path: 'body', message: `must be at most ${EVIDENCE_MAX_BYTES} bytes` }],
        });
      }
      const size = jpegSize(raw);
      if ('error' in size) {
        throw badRequest(`The frame is not a JPEG image: it ${size.error}.`, [{ path: 'body', message: size.error }]);
      }
      if (Math.max(size.width, size.height) > EVIDENCE_MAX_SIDE) {
        const message = `must be at most ${EVIDENCE_MAX_SIDE} pixels on its long side (it is ${size.width}x${size.height})`;
        throw badRequest(`The frame ${message}.`, [{ path: 'body', message }]);
      }
      const settings = cameraSettingsOf(exam);
      if (settings.mode === 'off' || !settings.evidence) {
        throw conflict('This exam does not keep evidence frames: nothing was stored.');
      }
      if (!UPLOADABLE.has(attempt.status)) throw conflict('Evidence can only be sent while the attempt is running.');
      const event = await repo.eventByClientId(db, attempt.id, clientEventId);
      if (!event) {
        throw new AppError(404, 'not_found', 'No alert of this attempt has that clientEventId.', {
          fields: [{ path: 'query.clientEventId', message: 'no alert of this attempt has this id' }],
        });
      }
      if (!CAMERA_TYPES.has(event.type)) {
        throw badRequest('Evidence frames belong to camera alerts only.', [
          { path: 'query.clientEventId', message: `names a ${event.type} alert, not a camera alert` },
        ]);
      }
      const { sealed, keyId } = sealFrame(keys, raw);
      const stored = await db.transaction(async (tx) => {
        const row = await repo.insertEvidence(tx, {
          eventId: event.id,
          attemptId: attempt.id,
          examId: exam.id,
          sealed,
          keyId,
          bytes: raw.length,
          expiresAt: new Date(Date.now() + settings.retentionDays * DAY_MS),
        });
        if (!row) throw conflict('This alert already has its evidence frame.');
        await audit.record(
          tx,
          {
            actorId: attempt.userId,
            actorRole: who.actor?.role ?? 'student',
            ipHash: keyedHash(secret, 'ip', ctx.ip),
            requestId: ctx.requestId || null,
          },
          {
            action: 'evidence.uploaded',
            targetType: 'proctoring_evidence',
            targetId: row.id,
            details: { eventId: event.id, attemptId: attempt.id, type: event.type, bytes: raw.length },
          },
        );
        return row;
      });
      // The alert reached the hall before its frame: tell the proctors it now has one.
      await bestEffort(
        (async () => {
          const full = await findEvent(db, event.id);
          if (full) publish.alertReviewed(exam.id, (await attachEvidence(db, [toEventDto(full)]))[0]!);
        })(),
        1000,
      );
      return toEvidenceDto(stored);
    },

    /** Proctor, teacher or admin who may watch the exam: an address for this viewer only, valid 60 s. */
    async url(caller: Caller, id: string): Promise<EvidenceUrl> {
      await consume(urlsPerUser, caller.actor.userId, 'evidence addresses');
      const ev = await repo.findEvidence(db, id);
      if (!ev) throw notFound('Evidence');
      await loadWatchableExam(db, caller.actor, ev.examId);
      if (ev.deletedAt || ev.expiresAt.getTime() <= Date.now()) throw gone();
      return signedEvidenceUrl(secret, id, caller.actor.userId);
    },

    /** The frame itself, for the viewer its signed address was made for. */
    async image(caller: Caller, id: string, exp: number, sig: string): Promise<Buffer> {
      await consume(viewsPerUser, caller.actor.userId, 'evidence views');
      const verdict = verifyEvidenceSignature(secret, id, exp, caller.actor.userId, sig);
      if (verdict === 'bad') {
        throw new AppError(403, 'link_invalid', 'This evidence address is not valid for you. Open the alert again.');
      }
      if (verdict === 'expired') {
        throw new AppError(403, 'link_expired', 'This evidence address has expired. Open the alert again.');
      }
      const ev = await repo.findEvidence(db, id);
      if (!ev) throw notFound('Evidence');
      await loadWatchableExam(db, caller.actor, ev.examId);
      if (!ev.sealed || ev.deletedAt || ev.expiresAt.getTime() <= Date.now()) throw gone();
      const frame = openFrame(keys, ev.keyId, ev.sealed);
      // Only a lost key (EVIDENCE_KEY or APP_SECRET changed without EVIDENCE_KEYS_OLD) or altered bytes get
      // here: a fault of ours, logged with the key's id (never the key) and answered as a plain 500.
      if (!frame) {
        throw new Error(
          `evidence frame ${ev.id} cannot be opened: key ${ev.keyId} is not configured (EVIDENCE_KEY, EVIDENCE_KEYS_OLD) or the stored bytes were altered`,
        );
      }
      await audit.record(db, auditContextOf(secret, caller), {
        action: 'evidence.viewed',
        targetType: 'proctoring_evidence',
        targetId: ev.id,
        details: { eventId: ev.eventId, examId: ev.examId },
      });
      return frame;
    },
  };
}
export type EvidenceService = ReturnType<typeof createEvidenceService>;

const gone = () => new AppError(410, 'evidence_deleted', 'This evidence frame was deleted after its retention period.');
