import { z } from 'zod';
import { text } from './common.ts';

/** Canonical facts of a certificate; SHA-256 of their RFC 8785 form is stored on chain. */
export const certificateMetadataSchema = z.object({
  schema: z.literal('exam-hall.certificate.v1'),
  certificateId: z.string(),
  institution: z.object({ name: z.string() }),
  course: z.object({ name: z.string() }).nullable(),
  exam: z.object({ id: z.string(), title: z.string() }),
  recipient: z.object({ name: z.string() }),
  result: z.object({
    score: z.number(),
    maxScore: z.number(),
    percentage: z.number(),
    passingScore: z.number(),
    passed: z.boolean(),
  }),
  completedAt: z.string(),
  issuedAt: z.string(),
  /** 128 random bits: the hash on chain cannot be confirmed by guessing the facts. */
  salt: z.string(),
});
export type CertificateMetadata = z.infer<typeof certificateMetadataSchema>;

/** Where the certificate's hash lives. */
export const certificateAnchorSchema = z.object({
  chainId: z.number().int().positive(),
  contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  tokenId: z.string().regex(/^\d+$/),
});
export type CertificateAnchor = z.infer<typeof certificateAnchorSchema>;

/** The file a holder downloads and anyone can check against the chain alone
 * (scripts/verify-certificate.ts). */
export const certificateFileSchema = z.object({
  metadata: certificateMetadataSchema,
  anchor: certificateAnchorSchema,
});
export type CertificateFile = z.infer<typeof certificateFileSchema>;

export const certificateStatuses = ['pending', 'minting', 'issued', 'failed', 'revoked'] as const;
export type CertificateStatus = (typeof certificateStatuses)[number];

/** valid / revoked / tampered / not_found as the issue defines them; `unavailable` when
 * no configured chain endpoint answered, so nothing could be checked. */
export const verificationStatuses = ['valid', 'revoked', 'tampered', 'not_found', 'unavailable'] as const;
export type VerificationStatus = (typeof verificationStatuses)[number];

export const publicIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'is not a certificate id');

export const verificationSchema = z.object({
  status: z.enum(verificationStatuses),
  /** One sentence for people: why this status. */
  message: z.string(),
  publicId: z.string(),
  verifyUrl: z.string().nullable(),
  /** What the certificate states. Never the student's email. Null when not found. */
  facts: z
    .object({
      recipientName: z.string(),
      examTitle: z.string(),
      courseName: z.string().nullable(),
      institutionName: z.string(),
      score: z.number(),
      maxScore: z.number(),
      percentage: z.number(),
      passingScore: z.number(),
      completedAt: z.string(),
      issuedAt: z.string(),
    })
    .nullable(),
  revocation: z.object({ revokedAt: z.string().nullable(), reason: z.string() }).nullable(),
  evidence: z
    .object({
      chainId: z.number(),
      contract: z.string(),
      tokenId: z.string(),
      txHash: z.string().nullable(),
      txUrl: z.string().nullable(),
      blockNumber: z.number().nullable(),
      /** SHA-256 of the canonical metadata as recomputed now from the issuer's record. */
      computedHash: z.string(),
      /** The hash the chain holds for this token; null when the token does not exist. */
      onChainHash: z.string().nullable(),
      hashMatches: z.boolean(),
      onChainRevoked: z.boolean().nullable(),
      issuedOnChainAt: z.string().nullable(),
      /** The JSON-RPC endpoint's host that answered. */
      checkedVia: z.string().nullable(),
      checkedAt: z.string(),
    })
    .nullable(),
});
export type Verification = z.infer<typeof verificationSchema>;

export const revokeCertificateSchema = z.object({
  // Public on chain: short, and no personal data.
  reason: text().trim().min(1, 'is required').max(256, 'must be at most 256 characters'),
});

export const certificateSummarySchema = z.object({
  id: z.uuid(),
  publicId: z.string(),
  status: z.enum(certificateStatuses),
  examId: z.uuid(),
  examTitle: z.string(),
  percentage: z.number().nullable(),
  recipientAddress: z.string().nullable(),
  verifyUrl: z.string(),
  tokenId: z.string().nullable(),
  txHash: z.string().nullable(),
  issuedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedReason: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  /** How often anyone checked it on the verification page (the share counter the holder sees). */
  verifications: z.object({
    total: z.number().int().nonnegative(),
    /** Of those, opened from the QR code. */
    qr: z.number().int().nonnegative(),
    /** The latest check, or null when never checked. */
    last: z.string().nullable(),
  }),
});
export type CertificateSummary = z.infer<typeof certificateSummarySchema>;

export const walletAddressSchema = z.object({
  walletAddress: z
    .string()
    .trim()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be an Ethereum address: 0x followed by 40 hex digits')
    .nullable(),
});
