// Open Badges 3.0 over HTTP. The download needs a session (the certificate's student, the
// exam's teachers, admins); the rest is public: a verifier anywhere dereferences the issuer,
// its keys and the status lists (CORS open, cacheable), and /verify uploads a file here.
import type { Response } from 'express';
import { CREDENTIAL_UPLOAD_MAX_KB, credentialsApi, type ResponseIn } from '@exam-hall/protocol';
import { notFound } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import type { CredentialService } from './credentials.service.ts';

const tags = ['credentials'];
const limited = { description: 'Too many requests (Retry-After says when to try again)' };

/** JSON-LD documents anyone may fetch and cache, from any origin. */
function publicDocument(res: Response, maxAgeSeconds: number) {
  res.type('application/ld+json');
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', `public, max-age=${maxAgeSeconds}`);
}

export function credentialRoutes(credentials: CredentialService) {
  return [
    route(
      credentialsApi.credential,
      {
        summary:
          "The certificate as a signed Open Badges 3.0 OpenBadgeCredential (W3C VC 2.0, eddsa-rdfc-2022), for the holder's wallet",
        tags,
        access: 'signed-in',
        responses: {
          200: { description: 'The signed credential (download)' },
          404: { description: 'No such certificate of yours, or of an exam you teach' },
          409: { description: 'Not on the blockchain yet (pending, minting or failed)' },
          429: limited,
        },
      },
      async ({ actor, params, res }) => {
        const out = await credentials.credential(actor, params.id);
        res.attachment(out.filename);
        res.setHeader('Cache-Control', 'private, no-store');
        return out.credential;
      },
    ),
    route(
      credentialsApi.verify,
      {
        summary:
          'Verify an uploaded Open Badges 3.0 credential: its proof against our issuer keys, its status list entry, and its certificate live on chain',
        tags: ['verification'],
        access: 'public',
        bodyLimitKb: CREDENTIAL_UPLOAD_MAX_KB,
        responses: {
          200: { description: 'Verdict (valid, revoked, tampered, invalid, unavailable) with each check in words' },
          400: { description: 'Not a Verifiable Credential (the fields say what is missing)' },
          413: { description: `Larger than ${CREDENTIAL_UPLOAD_MAX_KB} KB` },
          429: limited,
        },
      },
      async ({ body, req }) => credentials.verify(body, { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') }),
    ),
    route(
      credentialsApi.issuer,
      {
        summary:
          "The issuer's Open Badges Profile, also the controller document listing its signing keys (retired ones too)",
        tags,
        access: 'public',
        responses: { 200: { description: 'application/ld+json' }, 429: limited },
      },
      async ({ req, res }) => {
        await credentials.throttleDocuments(req.ip ?? 'unknown');
        const doc = await credentials.issuerDocument();
        publicDocument(res, 300);
        return doc;
      },
    ),
    route(
      credentialsApi.issuerKey,
      {
        summary: 'One issuer public key as a Multikey verification method',
        tags,
        access: 'public',
        responses: {
          200: { description: 'application/ld+json' },
          404: { description: 'No such issuer key' },
          429: limited,
        },
      },
      async ({ params, req, res }) => {
        await credentials.throttleDocuments(req.ip ?? 'unknown');
        const doc = await credentials.keyDocument(params.kid);
        if (!doc) throw notFound('Issuer key');
        publicDocument(res, 86_400);
        return doc;
      },
    ),
    route(
      credentialsApi.statusList,
      {
        summary: 'A signed Bitstring Status List credential (revocation) covering 131,072 certificates',
        tags,
        access: 'public',
        responses: {
          200: { description: 'application/ld+json' },
          404: { description: 'No such status list' },
          429: limited,
        },
      },
      async ({ params, req, res }) => {
        await credentials.throttleDocuments(req.ip ?? 'unknown');
        const doc = await credentials.statusList(params.list);
        if (!doc) throw notFound('Status list');
        // Short: a revocation must reach verifiers soon.
        publicDocument(res, 60);
        return doc as ResponseIn<typeof credentialsApi.statusList>;
      },
    ),
  ];
}
