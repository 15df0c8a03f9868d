import type { Request, Response } from 'express';
import { parseCookie } from 'cookie';
import { ACCESS_COOKIE, REFRESH_COOKIE } from '@exam-hall/protocol';
import type { IssuedSession } from './auth.service.ts';

export const REFRESH_PATH = '/api/auth';

export function readCookies(header: string | undefined): { access?: string; refresh?: string } {
  if (!header) return {};
  const c = parseCookie(header);
  return { access: c[ACCESS_COOKIE], refresh: c[REFRESH_COOKIE] };
}

export function setSessionCookies(res: Response, s: IssuedSession, secure: boolean) {
  const base = { httpOnly: true, secure, sameSite: 'lax' as const };
  // The access cookie lives as long as the session; the token inside expires sooner
  // and the browser then asks for a new one with the refresh cookie.
  res.cookie(ACCESS_COOKIE, s.accessToken, { ...base, path: '/', expires: s.expiresAt });
  res.cookie(REFRESH_COOKIE, s.refreshToken, { ...base, sameSite: 'strict', path: REFRESH_PATH, expires: s.expiresAt });
}

export function clearSessionCookies(res: Response, secure: boolean) {
  res.clearCookie(ACCESS_COOKIE, { httpOnly: true, secure, sameSite: 'lax', path: '/' });
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure, sameSite: 'strict', path: REFRESH_PATH });
}

export function requestContext(req: Request) {
  return { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent'), requestId: String(req.id ?? '') };
}
