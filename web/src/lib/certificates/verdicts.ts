import type { CertificateStatus, VerificationStatus } from '@exam-hall/protocol';

/** Verification verdicts in plain words for the person deciding whether to trust a certificate
 * (an employer, not a developer); the tone is never the only signal. */
export const verdicts: Record<VerificationStatus, { label: string; icon: string; tone: 'good' | 'bad' | 'unknown' }> = {
  valid: { label: 'Genuine', icon: '✔', tone: 'good' },
  revoked: { label: 'Revoked', icon: '✖', tone: 'bad' },
  tampered: { label: 'Do not trust', icon: '⚠', tone: 'bad' },
  not_found: { label: 'Not found', icon: '?', tone: 'unknown' },
  unavailable: { label: 'Could not check now', icon: '…', tone: 'unknown' },
};

export const certificateStatusLabels: Record<CertificateStatus, string> = {
  pending: 'Waiting to be issued',
  minting: 'Being written to the chain',
  issued: 'Issued',
  failed: 'Issuing failed',
  revoked: 'Revoked',
};
