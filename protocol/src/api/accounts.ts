// HTTP contracts of accounts: method, path, params, query, body and answer of each endpoint.
import { endpoint } from '../http.ts';
import {
  acceptInvitationBodySchema,
  accountSignedInResponseSchema,
  activationLinksResponseSchema,
  changePasswordBodySchema,
  claimAccountBodySchema,
  claimAccountResponseSchema,
  passwordResetBodySchema,
  passwordResetRequestBodySchema,
  passwordResetRequestResponseSchema,
  verifyEmailBodySchema,
  verifyEmailResponseSchema,
} from '../accounts.ts';
import { examIdParamsSchema, idParamsSchema } from '../exams.ts';

export const accountsApi = {
  acceptInvitation: endpoint({
    method: 'post',
    path: '/api/account/invitation/accept',
    body: acceptInvitationBodySchema,
    response: accountSignedInResponseSchema,
  }),
  requestPasswordReset: endpoint({
    method: 'post',
    path: '/api/account/password-reset/request',
    body: passwordResetRequestBodySchema,
    status: 202,
    response: passwordResetRequestResponseSchema,
  }),
  resetPassword: endpoint({
    method: 'post',
    path: '/api/account/password-reset',
    body: passwordResetBodySchema,
    status: 204,
  }),
  verifyEmail: endpoint({
    method: 'post',
    path: '/api/account/verify-email',
    body: verifyEmailBodySchema,
    response: verifyEmailResponseSchema,
  }),
  changePassword: endpoint({
    method: 'post',
    path: '/api/account/password',
    body: changePasswordBodySchema,
    status: 204,
  }),
  claimAccount: endpoint({
    method: 'post',
    path: '/api/attempts/:id/claim-account',
    params: idParamsSchema,
    body: claimAccountBodySchema,
    response: claimAccountResponseSchema,
  }),
  activationLinks: endpoint({
    method: 'post',
    path: '/api/exams/:examId/participants/activation-links',
    params: examIdParamsSchema,
    response: activationLinksResponseSchema,
  }),
};
