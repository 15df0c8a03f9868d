import type { CertificateStatus, VerificationStatus } from '@exam-hall/protocol';

/** Verification verdicts in words people act on; the tone is never the only signal. */
export const verdicts: Record<VerificationStatus, { label: string; icon: string; tone: 'good' | 'bad' | 'unknown' }> = {
  valid: { label: 'VALID', icon: '✔', tone: 'good' },
  revoked: { label: 'REVOKED', icon: '✖', tone: 'bad' },
  tampered: { label: 'TAMPERED', icon: '⚠', tone: 'bad' },
  not_found: { label: 'NOT FOUND', icon: '?', tone: 'unknown' },
  unavailable: { label: 'CANNOT CHECK NOW', icon: '…', tone: 'unknown' },
};

export const certificateStatusLabels: Record<CertificateStatus, string> = {
  pending: 'Waiting to be issued',
  minting: 'Being written to the chain',
  issued: 'Issued',
  failed: 'Issuing failed',
  revoked: 'Revoked',
};
