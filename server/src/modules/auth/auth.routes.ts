import { authApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { AuthService } from './auth.service.ts';
import { clearSessionCookies, readCookies, requestContext, setSessionCookies } from './auth.cookies.ts';

const tags = ['auth'];
const err = (description: string) => ({ description });

export function authRoutes(auth: AuthService, cookieSecure: boolean) {
  return [
    route(
      authApi.signIn,
      {
        summary: 'Sign in with email and password; sets the session cookies',
        tags,
        access: 'public',
        responses: {
          200: { description: 'Signed in' },
          400: err('Invalid body'),
          401: err('Wrong email or password'),
          429: err('Too many attempts; see Retry-After'),
        },
      },
      async ({ body, req, res }) => {
        const issued = await auth.signIn(body, requestContext(req));
        setSessionCookies(res, issued, cookieSecure);
        return { user: issued.user };
      },
    ),
    route(
      authApi.refresh,
      {
        summary: 'Rotate the refresh token and get a new access token',
        tags,
        access: 'public',
        responses: { 200: { description: 'Rotated' }, 401: err('Session ended or revoked') },
      },
      async ({ req, res }) => {
        try {
          const issued = await auth.refresh(readCookies(req.headers.cookie).refresh, requestContext(req));
          setSessionCookies(res, issued, cookieSecure);
          return { user: issued.user };
        } catch (e) {
          clearSessionCookies(res, cookieSecure);
          throw e;
        }
      },
    ),
    route(
      authApi.signOut,
      {
        summary: 'Sign out: revokes this session and clears the cookies',
        tags,
        access: 'public',
        responses: { 204: { description: 'Signed out (also when already signed out)' } },
      },
      async ({ actor, req, res }) => {
        if (actor) await auth.signOut(actor, requestContext(req));
        clearSessionCookies(res, cookieSecure);
      },
    ),
    route(
      authApi.me,
      {
        summary: 'The signed-in user and session',
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'Current user' }, 401: err('Not signed in') },
      },
      async ({ actor }) => ({
        user: { id: actor.userId, email: actor.email, name: actor.name, role: actor.role },
        session: { id: actor.sessionId, expiresAt: actor.sessionExpiresAt.toISOString() },
      }),
    ),
    route(
      authApi.sessions,
      {
        summary: "The signed-in user's active sessions",
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'Sessions' }, 401: err('Not signed in') },
      },
      async ({ actor }) => ({ sessions: await auth.listSessions(actor) }),
    ),
    route(
      authApi.revokeOtherSessions,
      {
        summary: 'Sign out everywhere else: every other session of yours ends and its open sockets close',
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'How many sessions ended' }, 401: err('Not signed in') },
      },
      async ({ actor, req }) => ({ revoked: await auth.revokeOthers(actor, requestContext(req)) }),
    ),
    route(
      authApi.revokeSession,
      {
        summary: 'Revoke one of your sessions (signs that device out at once)',
        tags,
        access: 'signed-in',
        responses: { 204: { description: 'Revoked' }, 404: err('No such session of yours') },
      },
      async ({ actor, params, req }) => {
        await auth.revokeSession(actor, params.id, requestContext(req));
      },
    ),
  ];
}
