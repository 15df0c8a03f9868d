// The documents of an exam's access codes: the codes CSV and printable slips (which
// change nothing), and the confirmed bulk reissue that answers new codes as CSV or slips.
// Part of the participant service (createParticipantService spreads these methods in).
import {
  CODE_SLIPS_MAX,
  type CodeSlipsQuery,
  type CodesExportBody,
  type CodesReissueBody,
  type CodesReissuePreview,
} from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Exam } from '../../db/schema/index.ts';
import { badRequest, conflict } from '../../http/errors.ts';
import { toCsv } from '../../lib/csv.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { loadExamFor } from '../exams/exams.service.ts';
import { regenerateCodes } from './participants.codes.ts';
import { codeSlipsPdf, slipDate, type Slip } from './participants.slips.ts';
import * as repo from './participants.repository.ts';

export function assertNotArchived(exam: Exam, what: string) {
  if (exam.status === 'archived') throw conflict(`This exam is archived: ${what}.`);
}

/** The codes CSV's note for a code that was shown once, when it was issued. */
export function issuedEarlierNote(issuedAt: Date): string {
  return `issued earlier on ${issuedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; reissue to get a new one`;
}

/** When the exam can be taken, as the slips print it. */
function examWhen(exam: Exam, timeZone: string): string {
  const length = `${exam.durationMinutes} minutes`;
  if (exam.availableAnytime || (!exam.startsAt && !exam.endsAt)) return `Available any time · ${length}`;
  const parts = [
    exam.startsAt ? `Opens ${slipDate(exam.startsAt, timeZone, false)}` : '',
    exam.endsAt ? `closes ${slipDate(exam.endsAt, timeZone, false)}` : '',
  ].filter(Boolean);
  return `${parts.join(', ')} (${timeZone}) · ${length}`;
}

export function createCodeSheets(deps: {
  db: Db;
  secret: string;
  /** Where the slips' QR codes and instructions send students; only slips need it. */
  config?: { http: { publicUrl: string } };
}) {
  const { db, secret } = deps;

  function slipsFor(exam: Exam, slips: Slip[], timeZone: string): Promise<Uint8Array> {
    const publicUrl = deps.config?.http.publicUrl;
    if (!publicUrl) throw new Error('Printing code slips needs config.http.publicUrl');
    return codeSlipsPdf({ examTitle: exam.title, when: examWhen(exam, timeZone), publicUrl, timeZone, slips });
  }

  return {
    /**
     * The codes CSV: email, name, code, code status, note. It changes nothing. A code is
     * stored only as an HMAC and every invitation gets its code when it is created (add or
     * import answer it once), so no participant is ever without one and no code can be
     * shown again: the code cell stays empty and the note says when it was issued. New
     * codes come only from a reissue (one participant, or the confirmed bulk reissue).
     */
    async exportCodes(actor: Actor, examId: string, body: CodesExportBody): Promise<{ csv: string; count: number }> {
      await loadExamFor(db, actor, examId);
      const ids = body.participantIds ? [...new Set(body.participantIds)] : null;
      const rows = await repo.participantsForCodes(db, examId, ids);
      if (ids && rows.length !== ids.length) {
        const unknown = ids.length - rows.length;
        throw badRequest(
          `${unknown} of the participantIds ${unknown === 1 ? 'is' : 'are'} not participants of this exam.`,
          [{ path: 'body.participantIds', message: 'must all be participants of this exam' }],
        );
      }
      const csv = toCsv(
        ['email', 'name', 'code', 'code status', 'note'],
        rows.map((r) => [r.email, r.name, '', r.codeStatus, issuedEarlierNote(r.codeIssuedAt)]),
      );
      return { csv, count: rows.length };
    },

    /**
     * Printable slips, one per participant, changing nothing. Every participant got a code
     * when they were added and it is stored only as an HMAC, so the slip says when it was
     * issued; the confirmed bulk reissue prints slips with new codes (format: 'pdf').
     */
    async codeSlips(caller: Caller, examId: string, q: CodeSlipsQuery): Promise<{ pdf: Uint8Array; count: number }> {
      const exam = await loadExamFor(db, caller.actor, examId);
      const total = await repo.countParticipants(db, examId, {});
      if (total > CODE_SLIPS_MAX) {
        throw conflict(
          `This exam has ${total} participants; slips print for at most ${CODE_SLIPS_MAX} at a time. Use the codes CSV instead.`,
        );
      }
      const rows = await repo.participantsForCodes(db, examId, null);
      const pdf = await slipsFor(
        exam,
        rows.map((r) => ({ ...r, code: null })),
        q.tz,
      );
      // Read-only, but a print run of every student's slip is worth a trace (counts only).
      await audit.record(db, auditContextOf(secret, caller), {
        action: 'participants.slips_printed',
        targetType: 'exam',
        targetId: examId,
        details: { slips: rows.length, newCodes: 0 },
      });
      return { pdf, count: rows.length };
    },

    /** How many participants a bulk reissue would give new codes, for the confirmation to name. */
    async reissuePreview(actor: Actor, examId: string): Promise<CodesReissuePreview> {
      await loadExamFor(db, actor, examId);
      return { count: await repo.countNotStarted(db, examId) };
    },

    /**
     * New codes for every participant who has not started (no attempt, code unused),
     * answered as CSV: email, name, code. Their current codes stop working, which is why
     * the body must carry confirm: true (the schema refuses anything else).
     */
    async reissueCodes(
      caller: Caller,
      examId: string,
      body: CodesReissueBody,
    ): Promise<{ csv: string; count: number; pdf?: Uint8Array }> {
      // The route's schema already refuses it; this guards other callers.
      if (body.confirm !== true) {
        throw badRequest('Reissuing needs confirm: true.', [{ path: 'body.confirm', message: 'must be true' }]);
      }
      return db.transaction(async (tx) => {
        const exam = await loadExamFor(tx, caller.actor, examId, { forUpdate: true });
        assertNotArchived(exam, 'new access codes can no longer be issued');
        const rows = await repo.lockNotStarted(tx, examId);
        if (body.expected !== undefined && body.expected !== rows.length) {
          throw conflict(
            `You confirmed new codes for ${body.expected} ${body.expected === 1 ? 'participant' : 'participants'}, but ${rows.length} ${rows.length === 1 ? 'has' : 'have'} not started now (someone started, or was added or removed, meanwhile). Nothing was changed: check the count and confirm again.`,
          );
        }
        const codes = await regenerateCodes(
          tx,
          secret,
          examId,
          rows.map((r) => r.id),
        );
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'participants.codes_reissued',
          targetType: 'exam',
          targetId: examId,
          details: { count: rows.length, ...(body.format === 'pdf' ? { format: 'pdf' } : {}) },
        });
        const csv = toCsv(
          ['email', 'name', 'code'],
          rows.map((r) => [r.email, r.name, codes.get(r.id)!]),
        );
        if (body.format !== 'pdf') return { csv, count: rows.length };
        // Built inside the transaction: if printing fails, no code was changed.
        const pdf = await slipsFor(
          exam,
          rows.map((r) => ({
            name: r.name,
            email: r.email,
            code: codes.get(r.id)!,
            codeIssuedAt: new Date(),
            codeStatus: 'unused' as const,
            codeUsedAt: null,
          })),
          body.tz ?? 'UTC',
        );
        return { csv, count: rows.length, pdf };
      });
    },
  };
}
