// HTTP contracts of verification: method, path, params, query, body and answer of each endpoint.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import { certificateFileSchema, publicIdSchema, verificationSchema } from '../certificates.ts';

export const publicIdParamsSchema = z.object({ publicId: publicIdSchema });
export const verificationQuerySchema = z.object({ via: z.enum(['qr', 'link']).optional() });

/** Seed 003's other lookup methods: the issuing transaction's hash, or the token id. Exactly one. */
export const verificationLookupQuerySchema = z
  .object({
    txHash: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hexadecimal digits')
      .optional(),
    tokenId: z
      .string()
      .regex(/^\d{1,78}$/, 'must be a token id (digits only)')
      .optional(),
  })
  .superRefine((q, ctx) => {
    if ((q.txHash === undefined) === (q.tokenId === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [q.txHash === undefined ? 'txHash' : 'tokenId'],
        message: 'give exactly one of txHash and tokenId',
      });
  });
export type VerificationLookupQuery = z.infer<typeof verificationLookupQuerySchema>;

export const verificationApi = {
  /** Declared before `verify` so `/api/verify/lookup` is not taken for a certificate id. */
  lookup: endpoint({
    method: 'get',
    path: '/api/verify/lookup',
    query: verificationLookupQuerySchema,
    response: verificationSchema,
  }),
  verify: endpoint({
    method: 'get',
    path: '/api/verify/:publicId',
    params: publicIdParamsSchema,
    query: verificationQuerySchema,
    response: verificationSchema,
  }),
  certificateJson: endpoint({
    method: 'get',
    path: '/api/verify/:publicId/certificate.json',
    params: publicIdParamsSchema,
    response: certificateFileSchema,
  }),
  qrSvg: endpoint({ method: 'get', path: '/api/verify/:publicId/qr.svg', params: publicIdParamsSchema }),
  qrPng: endpoint({ method: 'get', path: '/api/verify/:publicId/qr.png', params: publicIdParamsSchema }),
};
