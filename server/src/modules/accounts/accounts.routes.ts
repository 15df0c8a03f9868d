import { parseCookie } from 'cookie';
import {
  acceptInvitationBodySchema,
  accountSignedInResponseSchema,
  activationLinksResponseSchema,
  ATTEMPT_COOKIE,
  changePasswordBodySchema,
  claimAccountBodySchema,
  claimAccountResponseSchema,
  examIdParamsSchema,
  idParamsSchema,
  passwordResetBodySchema,
  passwordResetRequestBodySchema,
  passwordResetRequestResponseSchema,
  verifyEmailBodySchema,
  verifyEmailResponseSchema,
} from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { requestContext, setSessionCookies } from '../auth/auth.cookies.ts';
import type { AccountService } from './accounts.service.ts';

const tags = ['accounts'];
const err = (description: string) => ({ description });
const linkErrors = {
  400: err('Invalid body, or not a link of ours (code link_invalid)'),
  410: err('The link was already used or replaced (link_used), or expired (link_expired)'),
  429: err('Too many links that do not work from this device; see Retry-After'),
};

export function accountRoutes(accounts: AccountService, auth: AuthService, cookieSecure: boolean) {
  return [
    route(
      {
        method: 'post',
        path: '/api/account/invitation/accept',
        summary:
          'Accept an invitation: choose a password (and optionally a name) with the token of an invitation link; the account becomes active and is signed in',
        tags,
        access: 'public',
        body: acceptInvitationBodySchema,
        responses: {
          200: { description: 'Signed in', schema: accountSignedInResponseSchema },
          ...linkErrors,
          403: err('The account is suspended'),
          409: err('The account already has a password'),
        },
      },
      async ({ body, req, res }) => {
        const issued = await accounts.acceptInvitation(body, requestContext(req));
        setSessionCookies(res, issued, cookieSecure);
        return { user: issued.user };
      },
    ),
    route(
      {
        method: 'post',
        path: '/api/account/password-reset/request',
        summary:
          'Ask for a password-reset link by email. Always 202 with the same answer, whether or not the address has an account',
        tags,
        access: 'public',
        body: passwordResetRequestBodySchema,
        responses: {
          202: { description: 'Accepted', schema: passwordResetRequestResponseSchema },
          400: err('Invalid body'),
          429: err('Too many requests for this address or from this network; see Retry-After'),
        },
      },
      async ({ body, req, res }) => {
        const message = await accounts.requestPasswordReset(body, requestContext(req));
        res.status(202);
        return { message };
      },
    ),
    route(
      {
        method: 'post',
        path: '/api/account/password-reset',
        summary:
          'Choose a new password with the token of a reset link; every session of the account ends (sign in again)',
        tags,
        access: 'public',
        body: passwordResetBodySchema,
        responses: { 204: err('Password changed'), ...linkErrors, 403: err('The account is suspended') },
      },
      async ({ body, req }) => {
        await accounts.resetPassword(body, requestContext(req));
      },
    ),
    route(
      {
        method: 'post',
        path: '/api/account/verify-email',
        summary: 'Confirm an email address with the token of a confirmation link; the account can then sign in',
        tags,
        access: 'public',
        body: verifyEmailBodySchema,
        responses: {
          200: { description: 'Confirmed', schema: verifyEmailResponseSchema },
          ...linkErrors,
          403: err('The account is suspended'),
        },
      },
      async ({ body, req }) => ({ message: await accounts.verifyEmail(body, requestContext(req)) }),
    ),
    route(
      {
        method: 'post',
        path: '/api/account/password',
        summary: 'Change your password (the current one is checked); your other sessions end',
        tags,
        access: 'signed-in',
        body: changePasswordBodySchema,
        responses: {
          204: err('Changed'),
          400: err('Invalid body, or the current password is not right'),
          401: err('Not signed in'),
          429: err('Too many wrong current passwords; see Retry-After'),
        },
      },
      async ({ actor, body, req }) => {
        await auth.changePassword(actor, body, requestContext(req));
      },
    ),
    route(
      {
        method: 'post',
        path: '/api/attempts/:id/claim-account',
        summary:
          'Keep your account after an exam started with an access code: choose a password, with the attempt cookie of this attempt. Without mail the account is active and signed in; with mail a confirmation link is sent first',
        tags,
        access: 'public',
        params: idParamsSchema,
        body: claimAccountBodySchema,
        responses: {
          200: { description: 'Signed in, or a confirmation link was sent', schema: claimAccountResponseSchema },
          400: err('Invalid body'),
          404: err('No such attempt of yours (the attempt cookie is missing or for another attempt)'),
          409: err('The account already has a password, or is suspended'),
          429: err('Too many tries for this attempt; see Retry-After'),
        },
      },
      async ({ actor, params, body, req, res }) => {
        const cookies = req.headers.cookie ? parseCookie(req.headers.cookie) : {};
        const r = await accounts.claimAccount(
          params.id,
          { actor, attemptCookie: cookies[ATTEMPT_COOKIE] ?? null },
          body,
          requestContext(req),
        );
        if (r.outcome === 'verification_sent') return r;
        setSessionCookies(res, r.session, cookieSecure);
        return { outcome: 'signed_in' as const, user: r.session.user };
      },
    ),
    route(
      {
        method: 'post',
        path: '/api/exams/:examId/participants/activation-links',
        summary:
          'Send an invitation link to every participant whose account has no password yet (mailed, or answered to be shown once when no mail server is configured or it refused); older invitation links stop working',
        tags,
        access: ['teacher', 'admin'],
        params: examIdParamsSchema,
        responses: {
          200: { description: 'Per-participant outcomes', schema: activationLinksResponseSchema },
          404: err('No such exam of yours'),
          429: err('Too many rounds in the last hour; see Retry-After'),
        },
      },
      async ({ caller, params }) => accounts.sendActivationLinks(caller, params.examId),
    ),
  ];
}
