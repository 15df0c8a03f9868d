// Keeps an attempt's certificate in line with its result. Runs after grading and
// after a score override: creates the certificate for a pass, supersedes it when the
// score changed (revoke + new certificate), revokes it when the attempt no longer
// passes. The attempt row lock serializes this with overrides and regrading.
import { and, eq, ne } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, certificates, courses, exams, users } from '../../db/schema/index.ts';
import type { Certificate } from '../../db/schema/certificates.ts';
import type { CertificateMetadata } from '@exam-hall/protocol';
import { buildMetadata, metadataHashOf, newPublicId } from './certificates.metadata.ts';

export type Evaluation =
  | { action: 'none'; reason: string }
  | { action: 'created'; certificateId: string }
  | { action: 'superseded'; certificateId: string; revokedId: string }
  | { action: 'revoked'; revokedId: string };

/** Marks a certificate revoked in the database; the chain follows through the revoke job. */
export async function markRevoked(
  tx: Db | Tx,
  cert: Pick<Certificate, 'id'>,
  reason: string,
  revokedBy: string | null,
): Promise<void> {
  await tx
    .update(certificates)
    .set({ status: 'revoked', revokedAt: new Date(), revokedReason: reason, revokedBy, updatedAt: new Date() })
    .where(and(eq(certificates.id, cert.id), ne(certificates.status, 'revoked')));
}

export async function evaluateAttempt(db: Db, institutionName: string, attemptId: string): Promise<Evaluation> {
  return db.transaction(async (tx) => {
    const [a] = await tx.select().from(attempts).where(eq(attempts.id, attemptId)).for('update');
    if (!a) return { action: 'none', reason: 'no such attempt' };
    const [exam] = await tx.select().from(exams).where(eq(exams.id, a.examId));
    const [live] = await tx
      .select()
      .from(certificates)
      .where(and(eq(certificates.attemptId, a.id), ne(certificates.status, 'revoked')))
      .for('update');
    const graded = a.gradedAt !== null && a.score !== null && a.maxScore !== null && a.percentage !== null;

    if (!graded || a.passed !== true) {
      if (live && graded) {
        await markRevoked(tx, live, 'Result corrected: no longer a pass', null);
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

    const [student] = await tx.select().from(users).where(eq(users.id, a.userId));
    const [course] = exam!.courseId ? await tx.select().from(courses).where(eq(courses.id, exam!.courseId)) : [];
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
    if (live) await markRevoked(tx, live, 'Superseded: result corrected', null);
    const [created] = await tx
      .insert(certificates)
      .values({
        userId: a.userId,
        examId: a.examId,
        attemptId: a.id,
        publicId,
        metadata,
        metadataHash: metadataHashOf(metadata),
      })
      .returning({ id: certificates.id });
    return live
      ? { action: 'superseded', certificateId: created!.id, revokedId: live.id }
      : { action: 'created', certificateId: created!.id };
  });
}
