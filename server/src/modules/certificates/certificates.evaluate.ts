// Keeps an attempt's certificate in line with its result. Runs after grading and
// after a score override: creates the certificate for a pass, supersedes it when the
// score changed (revoke + new certificate), revokes it when the attempt no longer
// passes. The attempt row lock serializes this with overrides and regrading.
import type { CertificateMetadata } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { buildMetadata, metadataHashOf, newPublicId } from './certificates.metadata.ts';
import * as repo from './certificates.repository.ts';

export type Evaluation =
  | { action: 'none'; reason: string }
  | { action: 'created'; certificateId: string }
  | { action: 'superseded'; certificateId: string; revokedId: string }
  | { action: 'revoked'; revokedId: string };

export async function evaluateAttempt(db: Db, institutionName: string, attemptId: string): Promise<Evaluation> {
  return db.transaction(async (tx) => {
    const a = await repo.lockAttempt(tx, attemptId);
    if (!a) return { action: 'none', reason: 'no such attempt' };
    // The result is not final while answers wait for a hand mark; the last mark evaluates again.
    if (a.manualPending > 0) return { action: 'none', reason: 'waiting for hand grading' };
    const exam = await repo.examById(tx, a.examId);
    const live = await repo.lockLiveCertificate(tx, a.id);
    const graded = a.gradedAt !== null && a.score !== null && a.maxScore !== null && a.percentage !== null;
    // The proctoring review (modules/review): a pending review holds the certificate back,
    // a rejected attempt gets none (and loses one it had); approved or flagged attempts keep theirs.
    if (a.reviewStatus === 'rejected') {
      if (live) {
        await repo.markRevoked(tx, live, 'Attempt rejected in the proctoring review', null);
        return { action: 'revoked', revokedId: live.id };
      }
      return { action: 'none', reason: 'rejected in the proctoring review' };
    }
    if (a.reviewStatus === 'pending' && !live) return { action: 'none', reason: 'waiting for the proctoring review' };

    if (!graded || a.passed !== true) {
      if (live && graded) {
        await repo.markRevoked(tx, live, 'Result corrected: no longer a pass', null);
        return { action: 'revoked', revokedId: live.id };
      }
      return { action: 'none', reason: graded ? 'not passed' : 'not graded' };
    }
    if (live) {
      const r = (live.metadata as CertificateMetadata).result;
      if (r.score === a.score && r.maxScore === a.maxScore && r.percentage === a.percentage) {
        return { action: 'none', reason: 'certificate already matches the result' };
      }
    } else if (!exam!.issueCertificates) {
      return { action: 'none', reason: 'the exam does not issue certificates' };
    }

    const { student, course } = await repo.recipientFacts(tx, a.userId, exam!.courseId);
    const publicId = newPublicId();
    const metadata = buildMetadata({
      publicId,
      institutionName,
      courseName: course?.name ?? null,
      examId: exam!.id,
      examTitle: exam!.title,
      studentName: student!.name,
      score: a.score!,
      maxScore: a.maxScore!,
      percentage: a.percentage!,
      passingScore: exam!.passingScore,
      completedAt: a.submittedAt ?? a.gradedAt!,
      issuedAt: new Date(),
    });
    if (live) await repo.markRevoked(tx, live, 'Superseded: result corrected', null);
    const certificateId = await repo.insertCertificate(tx, {
      userId: a.userId,
      examId: a.examId,
      attemptId: a.id,
      publicId,
      metadata,
      metadataHash: metadataHashOf(metadata),
    });
    return live ? { action: 'superseded', certificateId, revokedId: live.id } : { action: 'created', certificateId };
  });
}
