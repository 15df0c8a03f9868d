import { z } from 'zod';
import { line } from './common.ts';

export const roles = ['admin', 'teacher', 'proctor', 'student'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

// pending_verification: a password is set, the email address is not confirmed yet (no sign-in).
export const userStatuses = ['active', 'invited', 'suspended', 'pending_verification'] as const;
export const userStatusSchema = z.enum(userStatuses);
export type UserStatus = z.infer<typeof userStatusSchema>;

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? `${what} is required` : `${what} must be text`),
});

export const emailSchema = line(required('Email'))
  .trim()
  .toLowerCase()
  .max(254, 'Email must be at most 254 characters')
  .pipe(z.email('Enter a valid email address'));

export const passwordSchema = z
  .string(required('Password'))
  .min(12, 'Password must be at least 12 characters')
  .max(256, 'Password must be at most 256 characters');

export const signInBodySchema = z.object({
  email: emailSchema,
  // Sign-in does not enforce the password policy: it only checks the hash.
  password: z
    .string(required('Password'))
    .min(1, 'Enter your password')
    .max(256, 'Password must be at most 256 characters'),
});
export type SignInBody = z.infer<typeof signInBodySchema>;

export const publicUserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
});
export type PublicUser = z.infer<typeof publicUserSchema>;

export const sessionInfoSchema = z.object({
  id: z.uuid(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const signInResponseSchema = z.object({ user: publicUserSchema });
export const meResponseSchema = z.object({
  user: publicUserSchema,
  session: z.object({ id: z.uuid(), expiresAt: z.iso.datetime() }),
});
export type MeResponse = z.infer<typeof meResponseSchema>;
export const sessionsResponseSchema = z.object({ sessions: z.array(sessionInfoSchema) });
export const sessionIdParamsSchema = z.object({ id: z.uuid('Session id must be a UUID') });

/** Cookie names: the access cookie goes to every path, the refresh cookie only to /api/auth. */
export const ACCESS_COOKIE = 'eh_access';
export const REFRESH_COOKIE = 'eh_refresh';
