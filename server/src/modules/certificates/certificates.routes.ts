import { certificatesApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { CertificateService } from './certificates.service.ts';

const tags = ['certificates'];
const notYours = { description: 'No such certificate of yours, or of an exam you teach' };

export function certificateRoutes(certs: CertificateService) {
  return [
    route(
      certificatesApi.mine,
      {
        summary: "The signed-in user's certificates, newest first, with their verification links",
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'Certificates' } },
      },
      async ({ actor }) => certs.listMine(actor),
    ),
    route(
      certificatesApi.wallet,
      {
        summary: 'The wallet address certificates are minted to (null: the institution keeps them in custody)',
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'Wallet' } },
      },
      async ({ actor }) => certs.wallet(actor),
    ),
    route(
      certificatesApi.setWallet,
      {
        summary: 'Set or clear the wallet address future certificates are minted to',
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'Saved' }, 400: { description: 'Not an address' } },
      },
      async ({ caller, body }) => certs.setWallet(caller, body.walletAddress),
    ),
    route(
      certificatesApi.get,
      {
        summary: 'One certificate (its student, the exam owner or an admin)',
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'Certificate' }, 404: notYours },
      },
      async ({ actor, params }) => certs.get(actor, params.id),
    ),
    route(
      certificatesApi.pdf,
      {
        summary: 'Printable PDF certificate carrying the verification QR code',
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'application/pdf' }, 404: notYours },
      },
      async ({ actor, params, res }) => {
        const pdf = await certs.pdf(actor, params.id);
        res.type('application/pdf');
        res.attachment(pdf.filename);
        res.setHeader('Cache-Control', 'private, no-store');
        res.send(Buffer.from(pdf.bytes));
      },
    ),
    route(
      certificatesApi.revoke,
      {
        summary:
          'Revoke a certificate (exam owner or admin). Recorded at once; sent to the chain by a job. The reason is public on chain: no personal data.',
        tags,
        access: ['teacher', 'admin'],
        responses: {
          202: { description: 'Revoked; the chain follows' },
          404: notYours,
          409: { description: 'Already revoked' },
        },
      },
      async ({ caller, params, body, res }) => {
        const out = await certs.revoke(caller, params.id, body.reason);
        res.status(202);
        return out;
      },
    ),
    route(
      certificatesApi.retry,
      {
        summary: 'Queue a certificate whose minting failed every retry again (exam owner or admin)',
        tags,
        access: ['teacher', 'admin'],
        responses: { 202: { description: 'Queued' }, 404: notYours, 409: { description: 'Not failed' } },
      },
      async ({ caller, params, res }) => {
        const out = await certs.retry(caller, params.id);
        res.status(202);
        return out;
      },
    ),
  ];
}
