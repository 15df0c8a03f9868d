// Public: no sign-in. Rate-limited per IP inside the service.
import { verificationApi } from '@exam-hall/protocol';
import { notFound } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import { qrPng, qrSvg } from '../certificates/certificates.documents.ts';
import { verifyUrlOf, type VerificationService } from './verification.service.ts';

const tags = ['verification'];
const limited = { description: 'Too many requests from this network (Retry-After says when to try again)' };

export function verificationRoutes(verification: VerificationService, publicUrl: string) {
  return [
    // Before `verify`: /api/verify/lookup must not be read as a certificate id.
    route(
      verificationApi.lookup,
      {
        summary:
          'Verify a certificate found by its issuing transaction hash (txHash) or its token id (tokenId): the same verdict as by its id, with publicId filled in',
        tags,
        access: 'public',
        responses: { 200: { description: 'Verdict and evidence (not_found when nothing matches)' }, 429: limited },
      },
      async ({ query, req, res }) => {
        res.setHeader('Cache-Control', 'no-store');
        return verification.lookup(query, { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') });
      },
    ),
    route(
      verificationApi.verify,
      {
        summary:
          'Verify a certificate live against the chain: valid, revoked, tampered, not_found (or unavailable when no chain endpoint answered)',
        tags,
        access: 'public',
        responses: { 200: { description: 'Verdict and evidence' }, 429: limited },
      },
      async ({ params: p, query, req, res }) => {
        res.setHeader('Cache-Control', 'no-store');
        return verification.verify(
          p.publicId,
          { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') },
          query.via === 'qr' ? 'qr' : 'public_id',
        );
      },
    ),
    route(
      verificationApi.certificateJson,
      {
        summary:
          'The certificate file (canonical metadata + where its hash is on chain), checkable without this server: scripts/verify-certificate.ts',
        tags,
        access: 'public',
        responses: {
          200: { description: 'Certificate file' },
          404: { description: 'No such certificate on chain' },
          429: limited,
        },
      },
      async ({ params: p, req, res }) => {
        const file = await verification.file(p.publicId, { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') });
        if (!file) throw notFound('Certificate on chain');
        res.attachment(`certificate-${p.publicId}.json`);
        return file;
      },
    ),
    route(
      verificationApi.qrSvg,
      {
        summary: 'QR code (SVG) of the verification URL',
        tags,
        access: 'public',
        responses: { 200: { description: 'image/svg+xml' } },
      },
      async ({ params: p, res }) => {
        res.type('image/svg+xml');
        res.setHeader('Cache-Control', 'public, max-age=86400');
        res.send(await qrSvg(`${verifyUrlOf(publicUrl, p.publicId)}?via=qr`));
      },
    ),
    route(
      verificationApi.qrPng,
      {
        summary: 'QR code (PNG, 512 px) of the verification URL',
        tags,
        access: 'public',
        responses: { 200: { description: 'image/png' } },
      },
      async ({ params: p, res }) => {
        res.type('image/png');
        res.setHeader('Cache-Control', 'public, max-age=86400');
        res.send(await qrPng(`${verifyUrlOf(publicUrl, p.publicId)}?via=qr`));
      },
    ),
  ];
}
