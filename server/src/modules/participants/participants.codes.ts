// Access codes against the database: find the invitation behind an email + code, and
// issue new codes. Used by this module's service and by the attempts module.
import type { Db, Tx } from '../../db/client.ts';
import type { ExamParticipant } from '../../db/schema/index.ts';
import * as audit from '../audit/audit.service.ts';
import type { AuditContext } from '../audit/audit.service.ts';
import { hashCode, hashesEqual, newAccessCode, normalizeCode } from './access-codes.ts';
import * as repo from './participants.repository.ts';

const CODE_HASH_UNIQUE = 'exam_participants_access_code_hash_uq';
const COLLISION_RETRIES = 3;

function isCodeCollision(err: unknown): boolean {
  for (let e = err as { code?: string; constraint?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505' && e.constraint === CODE_HASH_UNIQUE) return true;
  }
  return false;
}

/**
 * Runs `work` (which draws fresh codes each time it is called) in a savepoint, again if
 * a new code's hash collides with a stored one. At 60 bits that is about one chance in
 * 10^8 for a 5,000-row import into a database of a million codes, but a unique
 * constraint violation must not turn into an error for the teacher.
 */
export async function withFreshCodes<T>(tx: Tx, work: (sp: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await tx.transaction(work);
    } catch (err) {
      if (attempt >= COLLISION_RETRIES || !isCodeCollision(err)) throw err;
    }
  }
}

/**
 * The invitation for an email + typed code, or null. Looks the email up (it may be
 * invited to several exams, never to a soft-deleted one) and compares every candidate's
 * hash in constant time, so neither the query nor the comparison depends on the code.
 * The row is returned whatever its codeStatus: the caller decides what used or voided
 * means, and should re-read it `for update` before claiming it.
 */
export async function findParticipantByCode(
  db: Db,
  secret: string,
  email: string,
  code: string,
): Promise<ExamParticipant | null> {
  const normalized = normalizeCode(code);
  if (!normalized) return null;
  const candidates = await repo.participantsByEmail(db, email.trim().toLowerCase());
  const typed = hashCode(secret, normalized);
  let match: ExamParticipant | null = null;
  for (const { p } of candidates) {
    // No early exit: every candidate costs the same.
    if (hashesEqual(p.accessCodeHash, typed)) match = p;
  }
  return match;
}
/** Another name for the same lookup. */
export const findParticipantsByEmailAndCode = findParticipantByCode;

/**
 * Issues a new code for one participant: new hash, status unused, issued now. The old
 * code stops working because its hash is gone. Audited as participant.code_regenerated;
 * when the old code had been used, the audit entry keeps when.
 */
export async function regenerateCode(
  tx: Tx,
  secret: string,
  participant: ExamParticipant,
  auditCtx: AuditContext,
): Promise<{ code: string }> {
  const code = await withFreshCodes(tx, async (sp) => {
    const fresh = newAccessCode(secret);
    await repo.setCode(sp, participant.id, fresh);
    return fresh.code;
  });
  await audit.record(tx, auditCtx, {
    action: 'participant.code_regenerated',
    targetType: 'exam_participant',
    targetId: participant.id,
    details: {
      examId: participant.examId,
      previousStatus: participant.codeStatus,
      ...(participant.codeUsedAt ? { previousUsedAt: participant.codeUsedAt.toISOString() } : {}),
    },
  });
  return { code };
}

/**
 * New codes for many participants of one exam in one statement (not audited here: the
 * caller writes one entry for the batch). Answers the plain codes by participant id.
 */
export async function regenerateCodes(
  tx: Tx,
  secret: string,
  examId: string,
  participantIds: string[],
): Promise<Map<string, string>> {
  return withFreshCodes(tx, async (sp) => {
    const codes = new Map<string, string>();
    const rows = participantIds.map((id) => {
      const fresh = newAccessCode(secret);
      codes.set(id, fresh.code);
      return { id, hash: fresh.hash, hint: fresh.hint };
    });
    await repo.replaceCodes(sp, examId, rows);
    return codes;
  });
}
