// The certificate's facts as canonical JSON (RFC 8785, JCS) and the hash that goes
// on chain. Only the hash is public on chain; the facts include a random salt so the
// hash cannot be confirmed by guessing a name and a score.
import { createHash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CertificateMetadata } from '@exam-hall/protocol';

export const METADATA_SCHEMA = 'exam-hall.certificate.v1';

/** 128 random bits, base64url: the id in the QR code and the /verify URL. */
export function newPublicId(): string {
  return randomBytes(16).toString('base64url');
}

export function canonicalJson(metadata: unknown): string {
  const text = canonicalize(metadata);
  if (text === undefined) throw new Error('metadata cannot be canonicalized');
  return text;
}

/** 0x-prefixed SHA-256 of the canonical JSON's UTF-8 bytes. */
export function metadataHashOf(metadata: unknown): string {
  return `0x${createHash('sha256').update(canonicalJson(metadata), 'utf8').digest('hex')}`;
}

/** The token id is the certificate's UUID read as a 128-bit integer: fixed before the
 * first transaction, so a resend after a crash can only hit the contract's duplicate check. */
export function tokenIdOf(certificateId: string): bigint {
  const hex = certificateId.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${certificateId}`);
  return BigInt(`0x${hex}`);
}

export interface MetadataFacts {
  publicId: string;
  institutionName: string;
  courseName: string | null;
  examId: string;
  examTitle: string;
  studentName: string;
  score: number;
  maxScore: number;
  percentage: number;
  passingScore: number;
  completedAt: Date;
  issuedAt: Date;
}

export function buildMetadata(f: MetadataFacts): CertificateMetadata {
  return {
    schema: METADATA_SCHEMA,
    certificateId: f.publicId,
    institution: { name: f.institutionName },
    course: f.courseName === null ? null : { name: f.courseName },
    exam: { id: f.examId, title: f.examTitle },
    recipient: { name: f.studentName },
    result: {
      score: f.score,
      maxScore: f.maxScore,
      percentage: f.percentage,
      passingScore: f.passingScore,
      passed: true,
    },
    completedAt: f.completedAt.toISOString(),
    issuedAt: f.issuedAt.toISOString(),
    salt: randomBytes(16).toString('base64url'),
  };
}
