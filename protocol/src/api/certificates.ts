// HTTP contracts of certificates: method, path, params, query, body and answer of each endpoint.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import { certificateSummarySchema, revokeCertificateSchema, walletAddressSchema } from '../certificates.ts';

export const certificateSummaryListSchema = z.array(certificateSummarySchema);
export const certificateIdParamsSchema = z.object({ id: z.uuid('must be a certificate id (UUID)') });

export const certificatesApi = {
  mine: endpoint({ method: 'get', path: '/api/me/certificates', response: certificateSummaryListSchema }),
  wallet: endpoint({ method: 'get', path: '/api/me/wallet', response: walletAddressSchema }),
  setWallet: endpoint({
    method: 'put',
    path: '/api/me/wallet',
    body: walletAddressSchema,
    response: walletAddressSchema,
  }),
  get: endpoint({
    method: 'get',
    path: '/api/certificates/:id',
    params: certificateIdParamsSchema,
    response: certificateSummarySchema,
  }),
  pdf: endpoint({ method: 'get', path: '/api/certificates/:id/certificate.pdf', params: certificateIdParamsSchema }),
  revoke: endpoint({
    method: 'post',
    path: '/api/certificates/:id/revoke',
    params: certificateIdParamsSchema,
    body: revokeCertificateSchema,
    status: 202,
    response: certificateSummarySchema,
  }),
  retry: endpoint({
    method: 'post',
    path: '/api/certificates/:id/retry',
    params: certificateIdParamsSchema,
    status: 202,
    response: certificateSummarySchema,
  }),
};
