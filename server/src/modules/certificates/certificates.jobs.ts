// How the API and the workers ask for certificate work. The jobs themselves run in
// workers (workers/src/registry.ts); this is only the producer side.
import type { Queue } from 'bullmq';

export const CERTIFICATES_QUEUE = 'certificates';
/** Certificates sent per transaction; the contract accepts up to 200. */
export const MINT_BATCH_SIZE = 100;

export interface CertificateJobs {
  /** The attempt's score or pass mark changed (grading, override): bring its certificate in line. */
  evaluate(attemptId: string): Promise<void>;
  /** Mint whatever is pending, soon. Many calls while one is waiting collapse into one job. */
  mint(): Promise<void>;
  /** Send a recorded revocation to the chain. */
  revoke(certificateId: string): Promise<void>;
}

const retried = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: 1000,
};

export function bullCertificateJobs(queue: Queue): CertificateJobs {
  return {
    async evaluate(attemptId) {
      await queue.add('attempt.evaluate', { attemptId }, { ...retried, jobId: `evaluate-${attemptId}-${Date.now()}` });
    },
    async mint() {
      // Deduplicated while one mint job waits: certificates arriving together go out in one batch.
      // The periodic reconcile job mints anything that slipped past an active job.
      await queue.add(
        'certificates.mint',
        { batchSize: MINT_BATCH_SIZE },
        { ...retried, delay: 250, deduplication: { id: 'certificates.mint' } },
      );
    },
    async revoke(certificateId) {
      await queue.add('certificate.revoke', { certificateId }, { ...retried, jobId: `revoke-${certificateId}` });
    },
  };
}
