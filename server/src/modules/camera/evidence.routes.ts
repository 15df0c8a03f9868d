import { cameraApi, EVIDENCE_MAX_BYTES } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import { attemptCookieOf } from '../../http/actor.ts';
import type { EvidenceService } from './evidence.service.ts';

const tags = ['camera'];

export function evidenceRoutes(evidence: EvidenceService) {
  return [
    route(
      cameraApi.uploadEvidence,
      {
        summary: `Student (session or attempt cookie): the evidence frame of one camera alert of the running attempt, as the raw body (Content-Type: image/jpeg, at most ${EVIDENCE_MAX_BYTES} bytes and 320 pixels on the long side). Only when the exam keeps evidence; one frame per alert. Stored encrypted; deleted after the exam's retention days.`,
        tags,
        access: 'public',
        // One KiB over the limit, so a frame just too large gets the route's own message.
        rawBodyKb: EVIDENCE_MAX_BYTES / 1024 + 1,
        responses: {
          201: { description: 'Stored' },
          400: { description: 'Not a JPEG, too many pixels, or not a camera alert' },
          404: { description: 'Not your attempt, or no alert with this clientEventId' },
          409: { description: 'The exam keeps no evidence, the attempt is not running, or the alert has its frame' },
          413: { description: 'Too large' },
          415: { description: 'Not Content-Type image/jpeg' },
          429: { description: 'Too many uploads' },
        },
      },
      async ({ actor, params, query, req, res }) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const stored = await evidence.upload(
          { actor, attemptCookie: attemptCookieOf(req) },
          params.id,
          query.clientEventId,
          raw,
          { ip: req.ip ?? 'unknown', requestId: String(req.id ?? ''), contentType: req.get('content-type') },
        );
        res.status(201);
        return stored;
      },
    ),
    route(
      cameraApi.evidenceUrl,
      {
        summary:
          'Proctor, teacher or admin who may watch the exam: a signed address of one evidence frame, for the caller only, valid 60 seconds',
        tags,
        access: ['proctor', 'teacher', 'admin'],
        responses: {
          200: { description: 'Signed address' },
          404: { description: 'No such frame of an exam you may watch' },
          410: { description: 'Deleted after its retention period' },
          429: { description: 'Too many addresses' },
        },
      },
      async ({ caller, params }) => evidence.url(caller, params.id),
    ),
    route(
      cameraApi.evidenceImage,
      {
        summary:
          'The evidence frame (image/jpeg) through its signed address, for the user it was signed for, while it is valid; each view is audited',
        tags,
        access: 'signed-in',
        responses: {
          200: { description: 'image/jpeg' },
          403: { description: 'The address is not valid for you, or has expired' },
          404: { description: 'No such frame of an exam you may watch' },
          410: { description: 'Deleted after its retention period' },
          429: { description: 'Too many views' },
        },
      },
      async ({ caller, params, query, res }) => {
        const frame = await evidence.image(caller, params.id, query.exp, query.sig);
        res.status(200);
        res.setHeader('Content-Type', 'image/jpeg');
        res.setHeader('Cache-Control', 'private, no-store');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader('Content-Disposition', 'inline; filename="evidence.jpg"');
        res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.send(frame);
      },
    ),
  ];
}
