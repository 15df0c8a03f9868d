// Certificates' jobs: how the API and the jobs ask for certificate work (the producer),
// and what each certificate job does (called by server/src/jobs/registry.ts).
import type { JobPayload } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Enqueue } from '../../jobs/queues.ts';
import type { CertificateChain } from './certificates.chain.ts';
import { evaluateAttempt } from './certificates.evaluate.ts';
import { mintPending, reconcileMinting, sendRevocation } from './certificates.minter.ts';
import { reconcileEvaluations, reconcileRevocations } from './certificates.reconcile.ts';

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

export function certificateJobs(enqueue: Enqueue<'certificates'>): CertificateJobs {
  return {
    async evaluate(attemptId) {
      await enqueue('attempt.evaluate', { attemptId }, { ...retried, jobId: `evaluate-${attemptId}-${Date.now()}` });
    },
    async mint() {
      // Deduplicated while one mint job waits: certificates arriving together go out in one batch.
      // The periodic reconcile job mints anything that slipped past an active job.
      await enqueue(
        'certificates.mint',
        { batchSize: MINT_BATCH_SIZE },
        { ...retried, delay: 250, deduplication: { id: 'certificates.mint' } },
      );
    },
    async revoke(certificateId) {
      await enqueue('certificate.revoke', { certificateId }, { ...retried, jobId: `revoke-${certificateId}` });
    },
  };
}

/** What the certificate jobs run with. `chain` is null when no contract is configured. */
interface CertificateJobDeps {
  db: Db;
  log: Logger;
  chain: CertificateChain | null;
  certificates: CertificateJobs;
  institutionName: string;
}

/** 'attempt.evaluate': creates, keeps, supersedes or revokes the certificate, then queues the chain work. */
export async function runEvaluateJob(
  deps: CertificateJobDeps,
  payload: JobPayload<'certificates', 'attempt.evaluate'>,
) {
  const result = await evaluateAttempt(deps.db, deps.institutionName, payload.attemptId);
  if (result.action === 'created' || result.action === 'superseded') await deps.certificates.mint();
  if (result.action === 'superseded' || result.action === 'revoked') await deps.certificates.revoke(result.revokedId);
  return result;
}

/** 'certificates.mint' */
export async function runMintJob(deps: CertificateJobDeps, payload: JobPayload<'certificates', 'certificates.mint'>) {
  if (!deps.chain) return { skipped: 'no certificate contract configured' };
  return mintPending(deps.db, deps.chain, deps.log, payload.batchSize);
}

/** 'certificate.revoke' */
export async function runRevokeJob(
  deps: CertificateJobDeps,
  payload: JobPayload<'certificates', 'certificate.revoke'>,
) {
  // Thrown so BullMQ retries with backoff; the certificates stay pending meanwhile.
  if (!deps.chain) throw new Error('no certificate contract configured (CERTIFICATE_CONTRACT_ADDRESS)');
  return sendRevocation(deps.db, deps.chain, payload.certificateId);
}

/** 'certificates.reconcile': settles what a crashed worker left in `minting`, mints, re-queues lost revocations. */
export async function runCertificatesReconcileJob(
  deps: CertificateJobDeps,
  payload: JobPayload<'certificates', 'certificates.reconcile'>,
) {
  if (!deps.chain) return { skipped: 'no certificate contract configured' };
  const settled = await reconcileMinting(deps.db, deps.chain, payload.staleSeconds);
  // Also the safety net for mint requests that arrived while a mint job was running.
  const minted = await mintPending(deps.db, deps.chain, deps.log, MINT_BATCH_SIZE);
  // And for revocations whose job was lost (Redis restarted without persistence).
  const revocations = await reconcileRevocations(deps.db, deps.certificates, {
    chainId: deps.chain.chainId,
    limit: 500,
    settleSeconds: payload.staleSeconds,
  });
  if (revocations.enqueued) deps.log.warn(revocations, 'queued revocations again that never reached the chain');
  return { ...settled, minted: minted.minted, revocationsQueued: revocations.enqueued };
}

/** 'evaluations.reconcile': evaluates again graded attempts out of line with their certificate. */
export async function runEvaluationsReconcileJob(
  deps: CertificateJobDeps,
  payload: JobPayload<'certificates', 'evaluations.reconcile'>,
) {
  const result = await reconcileEvaluations(deps.db, deps.certificates, payload);
  if (result.enqueued) deps.log.warn(result, 'queued evaluation again for attempts out of line with their certificate');
  return result;
}
