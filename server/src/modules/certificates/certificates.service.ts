// Certificates for people: a student's own list and PDF, a teacher's or admin's
// revocation and retry, the student's wallet address. Minting itself runs in the
// workers (certificates.minter.ts).
import { getAddress } from 'ethers';
import type { CertificateMetadata, CertificateSummary } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Certificate } from '../../db/schema/certificates.ts';
import { badRequest, conflict } from '../../http/errors.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import { certificateAccess } from '../../policy/access.ts';
import { accessFacts } from '../../policy/access.sql.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import * as audit from '../audit/audit.service.ts';
import type { CertificateJobs } from './certificates.jobs.ts';
import * as repo from './certificates.repository.ts';
import { certificatePdf } from './certificates.documents.ts';
import { verifyUrlOf } from '../verification/verification.service.ts';

export interface CertificateServiceDeps {
  db: Db;
  secret: string;
  publicUrl: string;
  certificates: CertificateJobs;
}

export function createCertificateService(deps: CertificateServiceDeps) {
  const { db } = deps;

  const neverChecked: repo.VerificationCount = { total: 0, qr: 0, last: null };

  function summary(c: Certificate, examTitle: string, counts: Map<string, repo.VerificationCount>): CertificateSummary {
    const m = c.metadata as CertificateMetadata;
    return {
      id: c.id,
      publicId: c.publicId,
      status: c.status,
      examId: c.examId,
      examTitle,
      percentage: m.result?.percentage ?? null,
      recipientAddress: c.recipientAddress,
      verifyUrl: verifyUrlOf(deps.publicUrl, c.publicId),
      tokenId: c.tokenId,
      txHash: c.txHash,
      issuedAt: c.issuedAt?.toISOString() ?? null,
      revokedAt: c.revokedAt?.toISOString() ?? null,
      revokedReason: c.revokedReason,
      lastError: c.status === 'failed' ? c.lastError : null,
      createdAt: c.createdAt.toISOString(),
      verifications: counts.get(c.id) ?? neverChecked,
    };
  }

  /** One certificate's summary with its verification count. */
  async function summaryOf(c: Certificate, examTitle: string): Promise<CertificateSummary> {
    return summary(c, examTitle, await repo.verificationCounts(db, [c.id]));
  }

  /** The certificate and its exam, if the actor owns the certificate, teaches the exam or is an admin. */
  async function load(actor: Actor, id: string, manage: boolean) {
    return certificateAccess(
      actor,
      await repo.certificateWithExam(db, id),
      manage ? 'manage' : 'read',
      accessFacts(db),
    );
  }

  return {
    async listMine(actor: Actor): Promise<CertificateSummary[]> {
      const rows = await repo.certificatesOf(db, actor.userId);
      const counts = await repo.verificationCounts(
        db,
        rows.map((r) => r.cert.id),
      );
      return rows.map((r) => summary(r.cert, r.examTitle, counts));
    },

    async get(actor: Actor, id: string): Promise<CertificateSummary> {
      const row = await load(actor, id, false);
      return summaryOf(row.cert, row.examTitle);
    },

    async revoke(caller: Caller, id: string, reason: string): Promise<CertificateSummary> {
      const row = await load(caller.actor, id, true);
      if (row.cert.status === 'revoked') throw conflict('This certificate is already revoked.');
      await db.transaction(async (tx) => {
        await repo.markRevoked(tx, row.cert, reason, caller.actor.userId);
        await audit.record(tx, auditContextOf(deps.secret, caller), {
          action: 'certificate.revoke',
          targetType: 'certificate',
          targetId: id,
          details: { reason, previousStatus: row.cert.status },
        });
      });
      await deps.certificates.revoke(id);
      const updated = await repo.findCertificate(db, id);
      return summaryOf(updated!, row.examTitle);
    },

    /** A certificate whose minting failed every retry goes back to the queue. */
    async retry(caller: Caller, id: string): Promise<CertificateSummary> {
      const row = await load(caller.actor, id, true);
      if (row.cert.status !== 'failed')
        throw conflict(`Only a failed certificate can be retried (it is ${row.cert.status}).`);
      await db.transaction(async (tx) => {
        await repo.requeueFailed(tx, id);
        await audit.record(tx, auditContextOf(deps.secret, caller), {
          action: 'certificate.retry',
          targetType: 'certificate',
          targetId: id,
        });
      });
      await deps.certificates.mint();
      const updated = await repo.findCertificate(db, id);
      return summaryOf(updated!, row.examTitle);
    },

    async pdf(actor: Actor, id: string): Promise<{ bytes: Uint8Array; filename: string }> {
      const { cert } = await load(actor, id, false);
      const bytes = await certificatePdf({
        metadata: cert.metadata as CertificateMetadata,
        verifyUrl: verifyUrlOf(deps.publicUrl, cert.publicId),
        anchor:
          cert.tokenId !== null && cert.contractAddress !== null && cert.chainId !== null
            ? { chainId: cert.chainId, contract: cert.contractAddress, tokenId: cert.tokenId }
            : null,
      });
      return { bytes, filename: `certificate-${cert.publicId}.pdf` };
    },

    async wallet(actor: Actor): Promise<{ walletAddress: string | null }> {
      return { walletAddress: await repo.walletOf(db, actor.userId) };
    },

    /** Certificates minted from now on go to this address; null means the institution's custody. */
    async setWallet(caller: Caller, walletAddress: string | null): Promise<{ walletAddress: string | null }> {
      let normalized: string | null = null;
      if (walletAddress !== null) {
        try {
          normalized = getAddress(walletAddress);
        } catch {
          throw badRequest('The wallet address has a wrong checksum: copy it again from your wallet.', [
            { path: 'body.walletAddress', message: 'has a wrong checksum (mixed upper and lower case letters)' },
          ]);
        }
      }
      await db.transaction(async (tx) => {
        await repo.setWallet(tx, caller.actor.userId, normalized);
        await audit.record(tx, auditContextOf(deps.secret, caller), {
          action: 'account.wallet_update',
          targetType: 'user',
          targetId: caller.actor.userId,
          details: { walletSet: normalized !== null },
        });
      });
      return { walletAddress: normalized };
    },
  };
}

export type CertificateService = ReturnType<typeof createCertificateService>;
