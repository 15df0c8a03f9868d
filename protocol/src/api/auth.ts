// HTTP contracts of auth: method, path, params, query, body and answer of each endpoint.
import { endpoint } from '../http.ts';
import { revokeOthersResponseSchema } from '../accounts.ts';
import {
  meResponseSchema,
  sessionIdParamsSchema,
  sessionsResponseSchema,
  signInBodySchema,
  signInResponseSchema,
} from '../auth.ts';

export const authApi = {
  signIn: endpoint({
    method: 'post',
    path: '/api/auth/sign-in',
    body: signInBodySchema,
    response: signInResponseSchema,
  }),
  refresh: endpoint({ method: 'post', path: '/api/auth/refresh', response: signInResponseSchema }),
  signOut: endpoint({ method: 'post', path: '/api/auth/sign-out', status: 204 }),
  me: endpoint({ method: 'get', path: '/api/auth/me', response: meResponseSchema }),
  sessions: endpoint({ method: 'get', path: '/api/auth/sessions', response: sessionsResponseSchema }),
  revokeOtherSessions: endpoint({
    method: 'post',
    path: '/api/auth/sessions/revoke-others',
    response: revokeOthersResponseSchema,
  }),
  revokeSession: endpoint({
    method: 'delete',
    path: '/api/auth/sessions/:id',
    params: sessionIdParamsSchema,
    status: 204,
  }),
};
