// The attempt cookie: `{attemptId}.{token}`, given to a student who entered an exam (with
// an access code, or signed in); only a hash of the token is stored on the attempt.
// This file is the only place that builds, reads or checks one.
import { constantTimeEqual, hashToken, newToken } from '../lib/crypto.ts';

/** A fresh token for an attempt's cookie, and the hash to store on the attempt. */
export function newAttemptToken(): { token: string; tokenHash: string } {
  const token = newToken();
  return { token, tokenHash: hashToken(token) };
}

/** The cookie's value for an attempt and its token. */
export const attemptCookieValue = (attemptId: string, token: string) => `${attemptId}.${token}`;

/** The attempt a cookie names (whatever precedes the first dot), and its token (undefined without a dot). */
export function parseAttemptCookie(value: string): { attemptId: string; token: string | undefined } {
  const [attemptId = '', token] = value.split('.');
  return { attemptId, token };
}

/** Whether the cookie names this attempt (says nothing of its token). */
export function attemptCookieNames(value: string | null | undefined, attemptId: string): value is string {
  if (!value) return false;
  const named = parseAttemptCookie(value);
  return named.attemptId === attemptId && named.token !== undefined;
}

/** Whether the cookie is this attempt's: it names the attempt and its token matches the stored hash. */
export function attemptCookieMatches(
  value: string | null | undefined,
  attempt: { id: string; attemptTokenHash: string | null },
): boolean {
  if (!value || !attempt.attemptTokenHash) return false;
  const { attemptId, token } = parseAttemptCookie(value);
  return attemptId === attempt.id && !!token && constantTimeEqual(hashToken(token), attempt.attemptTokenHash);
}
