// POST /api/zoom/webhooks, as Zoom documents it: the signature (x-zm-signature,
// v0=HMAC-SHA256(secret, "v0:{timestamp}:{raw body}")) is checked over the exact bytes
// received, in constant time; requests older than 5 minutes are refused (replay);
// endpoint.url_validation is answered; a body seen before is ignored (Zoom retries);
// everything else is queued and answered at once (Zoom wants an answer within 3 s).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError, badRequest, notFound } from '../../http/errors.ts';
import { zoomApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { ZoomJobs } from './zoom.jobs.ts';

export const REPLAY_WINDOW_MS = 5 * 60_000;

export const signatureOf = (secret: string, timestamp: string, raw: Buffer | string) =>
  `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`;

export type Verdict = { ok: true } | { ok: false; reason: string };

export function verifyZoomRequest(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  raw: Buffer,
  nowMs = Date.now(),
): Verdict {
  const { signature, timestamp } = headers;
  if (!timestamp || !/^\d{1,13}$/.test(timestamp))
    return { ok: false, reason: 'missing or malformed x-zm-request-timestamp' };
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature))
    return { ok: false, reason: 'missing or malformed x-zm-signature' };
  // Zoom sends seconds; accept milliseconds too rather than reject a clock format.
  const ts = timestamp.length > 10 ? Number(timestamp) : Number(timestamp) * 1000;
  if (Math.abs(nowMs - ts) > REPLAY_WINDOW_MS) return { ok: false, reason: 'the request is older than 5 minutes' };
  const expected = Buffer.from(signatureOf(secret, timestamp, raw));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'the signature does not match the body' };
  }
  return { ok: true };
}

export const urlValidationAnswer = (secret: string, plainToken: string) => ({
  plainToken,
  encryptedToken: createHmac('sha256', secret).update(plainToken).digest('hex'),
});

export function zoomWebhookRoutes(deps: { secret: string | null; redis: Redis; prefix: string; jobs: ZoomJobs }) {
  return [
    route(
      zoomApi.webhooks,
      {
        summary:
          "Zoom's webhook endpoint: signed events (meeting.started, meeting.ended, meeting.participant_joined, meeting.participant_left) and endpoint.url_validation",
        tags: ['zoom'],
        access: 'public',
        rawBodyKb: 512,
        responses: {
          200: { description: 'url_validation answer' },
          204: { description: 'Accepted (queued), or a duplicate ignored' },
          401: { description: 'Bad signature or stale timestamp' },
          404: { description: 'Zoom webhooks are not configured' },
        },
      },
      async ({ req, res }) => {
        if (!deps.secret) throw notFound('Zoom webhook endpoint (ZOOM_WEBHOOK_SECRET is not set)');
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const verdict = verifyZoomRequest(
          deps.secret,
          { signature: req.get('x-zm-signature'), timestamp: req.get('x-zm-request-timestamp') },
          raw,
        );
        if (!verdict.ok) {
          req.log.warn({ reason: verdict.reason }, 'zoom webhook refused');
          throw new AppError(401, 'unauthenticated', `Webhook refused: ${verdict.reason}.`);
        }
        let body: { event?: unknown; event_ts?: unknown; payload?: { plainToken?: unknown } };
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw badRequest('The webhook body is not JSON.');
        }
        if (typeof body?.event !== 'string') throw badRequest('The webhook body has no event.');
        if (body.event === 'endpoint.url_validation') {
          const plain = body.payload?.plainToken;
          if (typeof plain !== 'string' || plain.length === 0 || plain.length > 256) {
            throw badRequest('endpoint.url_validation without a plainToken.');
          }
          return urlValidationAnswer(deps.secret, plain);
        }
        // Zoom retries a delivery it thinks failed: the same body is the same event.
        const key = `${deps.prefix}:zoom:webhook:${createHash('sha256').update(raw).digest('hex')}`;
        if ((await deps.redis.set(key, '1', 'EX', 86_400, 'NX')) !== 'OK') {
          res.status(204).end();
          return;
        }
        try {
          await deps.jobs.event(
            body.event,
            typeof body.event_ts === 'number' ? body.event_ts : null,
            body as Record<string, unknown>,
          );
        } catch (err) {
          await deps.redis.del(key); // let Zoom's retry through
          throw err;
        }
        res.status(204).end();
      },
    ),
  ];
}
