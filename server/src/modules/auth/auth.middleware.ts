import type { RequestHandler } from 'express';
import type { AuthService } from './auth.service.ts';
import { readCookies } from './auth.cookies.ts';

/** Resolves the session cookie to an actor once per request; routes decide what they need. */
export function authenticateRequests(auth: AuthService): RequestHandler {
  return async (req, _res, next) => {
    const result = await auth.authenticate(readCookies(req.headers.cookie).access);
    req.actor = result.actor;
    if (!result.actor && result.problem !== 'unknown') req.authProblem = result.problem;
    next();
  };
}
