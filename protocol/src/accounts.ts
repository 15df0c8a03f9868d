// Account lifecycle: invitation links, password reset, email verification, password change,
// and a code-started student keeping their account. Links carry a random token in the URL
// fragment (never sent to the server by the browser); the pages post it in a body.
import { z } from 'zod';
import { line } from './common.ts';
import { emailSchema, passwordSchema, publicUserSchema } from './auth.ts';

export const accountLinkPurposes = ['invitation', 'password_reset', 'email_verification'] as const;
export const accountLinkPurposeSchema = z.enum(accountLinkPurposes);
export type AccountLinkPurpose = z.infer<typeof accountLinkPurposeSchema>;

/** How an issued link reached its person: mailed, or shown once to whoever issued it (no mail
 * server configured, or the mail server refused it: `reason` says which, without secrets). */
export const accountLinkOutcomeSchema = z.discriminatedUnion('delivery', [
  z.object({ delivery: z.literal('email'), email: z.string() }),
  z.object({
    delivery: z.literal('shown'),
    url: z.string(),
    expiresAt: z.iso.datetime(),
    reason: z.string().optional(),
  }),
]);
export type AccountLinkOutcome = z.infer<typeof accountLinkOutcomeSchema>;

/** 32 random bytes in base64url are 43 characters; anything else is not a link of ours. */
export const accountTokenSchema = line({
  error: (issue) => (issue.input === undefined ? 'Token is required' : 'Token must be text'),
})
  .trim()
  .min(1, 'Token is required: open the link from your email again')
  .max(100, 'Token is too long: copy the whole link from your email, and nothing else');

const optionalName = line({ error: () => 'Name must be text' })
  .trim()
  .min(1, 'Name must not be empty')
  .max(100, 'Name must be at most 100 characters')
  .optional();

export const acceptInvitationBodySchema = z.object({
  token: accountTokenSchema,
  password: passwordSchema,
  name: optionalName,
});
export type AcceptInvitationBody = z.infer<typeof acceptInvitationBodySchema>;

export const passwordResetRequestBodySchema = z.object({ email: emailSchema });
export type PasswordResetRequestBody = z.infer<typeof passwordResetRequestBodySchema>;

export const passwordResetBodySchema = z.object({ token: accountTokenSchema, password: passwordSchema });
export type PasswordResetBody = z.infer<typeof passwordResetBodySchema>;

export const verifyEmailBodySchema = z.object({ token: accountTokenSchema });
export type VerifyEmailBody = z.infer<typeof verifyEmailBodySchema>;

export const changePasswordBodySchema = z.object({
  currentPassword: z
    .string({
      error: (i) => (i.input === undefined ? 'Current password is required' : 'Current password must be text'),
    })
    .min(1, 'Enter your current password')
    .max(256, 'Current password must be at most 256 characters'),
  newPassword: passwordSchema,
});
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

export const claimAccountBodySchema = z.object({ password: passwordSchema });
export type ClaimAccountBody = z.infer<typeof claimAccountBodySchema>;

/** Answer of a link that signs the person in (invitation accepted, claim without mail). */
export const accountSignedInResponseSchema = z.object({ user: publicUserSchema });

/** Always the same whether the email has an account or not. */
export const passwordResetRequestResponseSchema = z.object({ message: z.string() });

export const verifyEmailResponseSchema = z.object({ message: z.string() });

export const claimAccountResponseSchema = z.discriminatedUnion('outcome', [
  /** No mail server: the password is set and the student is signed in. */
  z.object({ outcome: z.literal('signed_in'), user: publicUserSchema }),
  /** A verification link was mailed; signing in waits until it is followed. */
  z.object({ outcome: z.literal('verification_sent'), email: z.string(), message: z.string() }),
]);
export type ClaimAccountResponse = z.infer<typeof claimAccountResponseSchema>;

export const revokeOthersResponseSchema = z.object({ revoked: z.number().int().min(0) });

/** One participant's activation link, as the teacher's bulk action answers it. */
export const activationLinkRowSchema = z.object({
  userId: z.uuid(),
  email: z.string(),
  name: z.string(),
  outcome: accountLinkOutcomeSchema,
});
export type ActivationLinkRow = z.infer<typeof activationLinkRowSchema>;

export const activationLinksResponseSchema = z.object({
  /** Participants whose account has a password already (nothing sent to them). */
  skipped: z.number().int().min(0),
  rows: z.array(activationLinkRowSchema),
});
export type ActivationLinksResponse = z.infer<typeof activationLinksResponseSchema>;
