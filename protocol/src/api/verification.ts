// HTTP contracts of verification: method, path, params, query, body and answer of each endpoint.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import { certificateFileSchema, publicIdSchema, verificationSchema } from '../certificates.ts';

export const publicIdParamsSchema = z.object({ publicId: publicIdSchema });
export const verificationQuerySchema = z.object({ via: z.enum(['qr', 'link']).optional() });

export const verificationApi = {
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
