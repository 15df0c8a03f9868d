// HTTP contracts of Open Badges 3.0 credentials: the holder's download, the public
// verifier, and the public documents a verifier dereferences (issuer, keys, status lists).
import { z } from 'zod';
import { endpoint } from '../http.ts';
import {
  credentialVerificationSchema,
  issuerDocumentSchema,
  issuerKeySchema,
  openBadgeCredentialSchema,
  statusListCredentialSchema,
  uploadedCredentialSchema,
} from '../credentials.ts';
import { certificateIdParamsSchema } from './certificates.ts';

export const statusListParamsSchema = z.object({
  list: z
    .string()
    .regex(/^(0|[1-9]\d{0,9})$/, 'must be a status list number (0, 1, 2, ...)')
    .transform(Number),
});
export const issuerKeyParamsSchema = z.object({
  kid: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'is not a key id'),
});

export const credentialsApi = {
  credential: endpoint({
    method: 'get',
    path: '/api/certificates/:id/credential',
    params: certificateIdParamsSchema,
    response: openBadgeCredentialSchema,
  }),
  verify: endpoint({
    method: 'post',
    path: '/api/verify/credential',
    body: uploadedCredentialSchema,
    response: credentialVerificationSchema,
  }),
  issuer: endpoint({ method: 'get', path: '/issuer', response: issuerDocumentSchema }),
  issuerKey: endpoint({
    method: 'get',
    path: '/issuer/keys/:kid',
    params: issuerKeyParamsSchema,
    response: issuerKeySchema,
  }),
  statusList: endpoint({
    method: 'get',
    path: '/credentials/status/:list',
    params: statusListParamsSchema,
    response: statusListCredentialSchema,
  }),
};
