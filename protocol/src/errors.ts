import { z } from 'zod';

/** Every 4xx/5xx answer of the HTTP API has exactly this shape. */
export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable code, e.g. validation_failed'),
    message: z.string().describe('A sentence a person can act on'),
    requestId: z.string().optional(),
    fields: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('Per-field problems for validation errors; path is dotted, e.g. body.email'),
  }),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const errorCodes = [
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'payload_too_large',
  'unsupported_media_type',
  'invalid_credentials',
  'session_revoked',
  'invalid_code',
  'code_used',
  'code_expired',
  'exam_not_available',
  'attempt_limit_reached',
  'attempt_in_progress',
  'invalid_transition',
  /** The exam starts when a proctor opens the hall, and that has not happened yet. */
  'hall_not_open',
  /** The exam is limited to browsers this one is not (its allowedBrowsers setting). */
  'browser_not_allowed',
  /** The exam uses the camera and its setting blocks the start until the lobby's camera check succeeded. */
  'camera_check_required',
  /** A camera check was sent for an exam that does not use the camera. */
  'camera_not_used',
  /** The password is right but the email address is not confirmed yet (pending_verification). */
  'email_not_verified',
  /** An account link (invitation, reset, confirmation) that was already used, or replaced by a newer one. */
  'link_used',
  'link_expired',
  /** Not a link of ours (mistyped or cut off). */
  'link_invalid',
  /** A camera evidence frame that the retention job deleted (HTTP 410); its record stays. */
  'evidence_deleted',
  'zoom_not_configured',
  'zoom_refused',
  'zoom_unavailable',
  /** A dependency (the database) is down for a moment: retry later (HTTP 503 with Retry-After). */
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];
