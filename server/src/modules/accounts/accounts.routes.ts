import { accountsApi } from '@exam-hall/protocol';
import { attemptCookieOf } from '../../http/actor.ts';
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
      accountsApi.acceptInvitation,
      {
        summary:
          'Accept an invitation: choose a password (and optionally a name) with the token of an invitation link; the account becomes active and is signed in',
        tags,
        access: 'public',
        responses: {
          200: { description: 'Signed in' },
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
      accountsApi.requestPasswordReset,
      {
        summary:
          'Ask for a password-reset link by email. Always 202 with the same answer, whether or not the address has an account',
        tags,
        access: 'public',
        responses: {
          202: { description: 'Accepted' },
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
      accountsApi.resetPassword,
      {
        summary:
          'Choose a new password with the token of a reset link; every session of the account ends (sign in again)',
        tags,
        access: 'public',
        responses: { 204: err('Password changed'), ...linkErrors, 403: err('The account is suspended') },
      },
      async ({ body, req }) => {
        await accounts.resetPassword(body, requestContext(req));
      },
    ),
    route(
      accountsApi.verifyEmail,
      {
        summary: 'Confirm an email address with the token of a confirmation link; the account can then sign in',
        tags,
        access: 'public',
        responses: { 200: { description: 'Confirmed' }, ...linkErrors, 403: err('The account is suspended') },
      },
      async ({ body, req }) => ({ message: await accounts.verifyEmail(body, requestContext(req)) }),
    ),
    route(
      accountsApi.changePassword,
      {
        summary: 'Change your password (the current one is checked); your other sessions end',
        tags,
        access: 'signed-in',
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
      accountsApi.claimAccount,
      {
        summary:
          'Keep your account after an exam started with an access code: choose a password, with the attempt cookie of this attempt. Without mail the account is active and signed in; with mail a confirmation link is sent first',
        tags,
        access: 'public',
        responses: {
          200: { description: 'Signed in, or a confirmation link was sent' },
          400: err('Invalid body'),
          404: err('No such attempt of yours (the attempt cookie is missing or for another attempt)'),
          409: err('The account already has a password, or is suspended'),
          429: err('Too many tries for this attempt; see Retry-After'),
        },
      },
      async ({ actor, params, body, req, res }) => {
        const r = await accounts.claimAccount(
          params.id,
          { actor, attemptCookie: attemptCookieOf(req) ?? null },
          body,
          requestContext(req),
        );
        if (r.outcome === 'verification_sent') return r;
        setSessionCookies(res, r.session, cookieSecure);
        return { outcome: 'signed_in' as const, user: r.session.user };
      },
    ),
    route(
      accountsApi.activationLinks,
      {
        summary:
          'Send an invitation link to every participant whose account has no password yet (mailed, or answered to be shown once when no mail server is configured or it refused); older invitation links stop working',
        tags,
        access: ['teacher', 'admin'],
        responses: {
          200: { description: 'Per-participant outcomes' },
          404: err('No such exam of yours'),
          429: err('Too many rounds in the last hour; see Retry-After'),
        },
      },
      async ({ caller, params }) => accounts.sendActivationLinks(caller, params.examId),
    ),
  ];
}
