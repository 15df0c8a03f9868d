// Participants of an exam and their one-time access codes. Only the exam's teacher or
// an admin manages them (loadExamFor: 404 for anyone else). Plain codes exist only in
// the answer that created or regenerated them; the database keeps an HMAC and a hint.
import type {
  Participant,
  ParticipantAdd,
  ParticipantAdded,
  ParticipantImportResult,
  ParticipantImportRow,
  ParticipantList,
  ParticipantListQuery,
  UserSearchResult,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { badRequest, conflict, notFound } from '../../http/errors.ts';
import { toCsv } from '../../lib/csv.ts';
import { assertRole } from '../../policy/access.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { emailAllowed } from '../courses/courses.service.ts';
import { EXAM_EDITORS, loadExamFor } from '../exams/exams.service.ts';
import { newAccessCode } from './access-codes.ts';
import { regenerateCode, withFreshCodes } from './participants.codes.ts';
import { assertNotArchived, createCodeSheets } from './participants.code-sheets.ts';
import { accountProblem, checkLines, domainReason, readImportCsv, type LineCheck } from './participants.import.ts';
import * as repo from './participants.repository.ts';

export const USER_SEARCH_LIMIT = 20;

export function toParticipantDto(r: repo.ParticipantListRow): Participant {
  const p = r.p;
  return {
    id: p.id,
    userId: p.userId,
    email: p.email,
    name: r.name,
    userStatus: r.userStatus,
    codeStatus: p.codeStatus,
    codeHint: p.accessCodeHint,
    codeIssuedAt: p.codeIssuedAt.toISOString(),
    codeUsedAt: p.codeUsedAt?.toISOString() ?? null,
    addedAt: p.addedAt.toISOString(),
    attemptCount: r.attemptCount,
    latestAttempt: r.latestStatus
      ? {
          status: r.latestStatus as NonNullable<Participant['latestAttempt']>['status'],
          percentage: r.latestPercentage,
        }
      : null,
  };
}

async function participantDto(db: Db | Tx, examId: string, participantId: string): Promise<Participant> {
  const [row] = await repo.listParticipants(db, examId, { participantIds: [participantId] }, null);
  return toParticipantDto(row!);
}

export function createParticipantService(deps: {
  db: Db;
  secret: string;
  /** Where the slips' QR codes and instructions send students; only slips need it. */
  config?: { http: { publicUrl: string } };
}) {
  const { db, secret } = deps;

  /** Accounts for addresses, creating invited student accounts for the unknown ones (3 queries at most). */
  async function accountsFor(tx: Tx, wanted: { email: string; name: string }[]) {
    const found = await repo.usersByEmails(
      tx,
      wanted.map((w) => w.email),
    );
    const accounts = new Map(found.map((a) => [a.email, a]));
    const missing = wanted.filter((w) => !accounts.has(w.email));
    const created = new Set<string>();
    for (const u of await repo.insertInvitedUsers(tx, missing)) {
      accounts.set(u.email, { id: u.id, email: u.email, role: 'student', status: 'invited' });
      created.add(u.email);
    }
    // Addresses another request registered between our select and insert.
    const raced = missing.filter((w) => !accounts.has(w.email)).map((w) => w.email);
    for (const a of await repo.usersByEmails(tx, raced)) accounts.set(a.email, a);
    return { accounts, created };
  }

  return {
    ...createCodeSheets(deps),

    async list(actor: Actor, examId: string, q: ParticipantListQuery): Promise<ParticipantList> {
      await loadExamFor(db, actor, examId);
      const rows = await repo.listParticipants(db, examId, q, q);
      const total = rows[0]?.total ?? (q.offset > 0 ? await repo.countParticipants(db, examId, q) : 0);
      return { participants: rows.map(toParticipantDto), total };
    },

    async add(caller: Caller, examId: string, input: ParticipantAdd): Promise<ParticipantAdded> {
      return db.transaction(async (tx) => {
        const exam = await loadExamFor(tx, caller.actor, examId, { forUpdate: true });
        assertNotArchived(exam, 'participants can no longer be added');
        const domains = await repo.courseDomains(tx, exam.courseId);
        if (!emailAllowed(domains, input.email)) {
          const message = domainReason(input.email, domains);
          throw badRequest(message, [{ path: 'body.email', message }]);
        }
        const name = input.name ?? input.email.slice(0, input.email.lastIndexOf('@'));
        const { accounts, created } = await accountsFor(tx, [{ email: input.email, name }]);
        const account = accounts.get(input.email)!;
        const problem = accountProblem(account);
        if (problem) throw badRequest(problem, [{ path: 'body.email', message: problem }]);
        const added = await withFreshCodes(tx, async (sp) => {
          const fresh = newAccessCode(secret);
          const [row] = await repo.insertParticipants(sp, examId, caller.actor.userId, [
            { userId: account.id, email: input.email, hash: fresh.hash, hint: fresh.hint },
          ]);
          return row && { id: row.id, code: fresh.code };
        });
        if (!added) throw conflict(`${input.email} is already a participant of this exam.`);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'participant.added',
          targetType: 'exam_participant',
          targetId: added.id,
          details: { examId, newAccount: created.has(input.email) },
        });
        return { participant: await participantDto(tx, examId, added.id), code: added.code };
      });
    },

    /**
     * Adds every acceptable row of a CSV file and reports each row's outcome. Rows are
     * checked one by one, but the database work is a fixed handful of set-based
     * statements in one transaction, whatever the number of rows.
     */
    async importCsv(caller: Caller, examId: string, csvText: string): Promise<ParticipantImportResult> {
      const lines = readImportCsv(csvText); // file-level problems answer 400 before any query
      return db.transaction(async (tx) => {
        const exam = await loadExamFor(tx, caller.actor, examId, { forUpdate: true });
        assertNotArchived(exam, 'participants can no longer be added');
        const checks = checkLines(lines, await repo.courseDomains(tx, exam.courseId));
        const results: ParticipantImportRow[] = checks.map((c) =>
          c.ok
            ? { row: c.row, email: c.email, outcome: 'added' }
            : { row: c.row, email: c.email, outcome: 'rejected', reason: c.reason },
        );
        const good = checks
          .map((c, i) => ({ c, i }))
          .filter((x): x is { c: Extract<LineCheck, { ok: true }>; i: number } => x.c.ok);
        const { accounts } = await accountsFor(
          tx,
          good.map(({ c }) => ({ email: c.email, name: c.name })),
        );

        const candidates: { i: number; userId: string; email: string }[] = [];
        for (const { c, i } of good) {
          const account = accounts.get(c.email)!;
          const problem = accountProblem(account);
          if (problem) results[i] = { row: c.row, email: c.email, outcome: 'rejected', reason: problem };
          else candidates.push({ i, userId: account.id, email: c.email });
        }

        const { inserted, codes } = await withFreshCodes(tx, async (sp) => {
          const codes = new Map<string, string>();
          const rows = candidates.map((k) => {
            const fresh = newAccessCode(secret);
            codes.set(k.userId, fresh.code);
            return { userId: k.userId, email: k.email, hash: fresh.hash, hint: fresh.hint };
          });
          const inserted = new Map(
            (await repo.insertParticipants(sp, examId, caller.actor.userId, rows)).map((r) => [r.userId, r.id]),
          );
          return { inserted, codes };
        });
        for (const k of candidates) {
          const id = inserted.get(k.userId);
          const base = results[k.i]!;
          results[k.i] = id
            ? { ...base, outcome: 'added', participantId: id, code: codes.get(k.userId)! }
            : { ...base, outcome: 'skipped', reason: 'Already a participant of this exam.' };
        }

        const summary = { added: 0, skipped: 0, rejected: 0 };
        for (const r of results) summary[r.outcome]++;
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'participants.imported',
          targetType: 'exam',
          targetId: examId,
          details: { rows: results.length, ...summary },
        });
        return { summary, rows: results };
      });
    },

    /** Removes an invitation that has not been used to start an attempt (attempts keep their participant). */
    async remove(caller: Caller, examId: string, participantId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await loadExamFor(tx, caller.actor, examId);
        const participant = await repo.findParticipant(tx, examId, participantId, { forUpdate: true });
        if (!participant) throw notFound('Participant');
        if ((await repo.attemptCount(tx, participantId)) > 0) {
          throw conflict('This participant has already started the exam, so the invitation cannot be removed.');
        }
        await repo.deleteParticipant(tx, participantId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'participant.removed',
          targetType: 'exam_participant',
          targetId: participantId,
          details: { examId, codeStatus: participant.codeStatus },
        });
      });
    },

    /** A new code for one participant; the previous one stops working at once. */
    async regenerate(caller: Caller, examId: string, participantId: string): Promise<ParticipantAdded> {
      return db.transaction(async (tx) => {
        const exam = await loadExamFor(tx, caller.actor, examId);
        assertNotArchived(exam, 'new access codes can no longer be issued');
        const participant = await repo.findParticipant(tx, examId, participantId, { forUpdate: true });
        if (!participant) throw notFound('Participant');
        const { code } = await regenerateCode(tx, secret, participant, auditContextOf(secret, caller));
        return { participant: await participantDto(tx, examId, participantId), code };
      });
    },

    /** Every participant as CSV, without codes. */
    async exportCsv(actor: Actor, examId: string): Promise<string> {
      await loadExamFor(db, actor, examId);
      const rows = (await repo.listParticipants(db, examId, {}, null)).map(toParticipantDto);
      return toCsv(
        [
          'email',
          'name',
          'account status',
          'code status',
          'code hint',
          'code issued at',
          'code used at',
          'attempts',
          'latest attempt status',
          'latest percentage',
        ],
        rows.map((p) => [
          p.email,
          p.name,
          p.userStatus,
          p.codeStatus,
          p.codeHint,
          p.codeIssuedAt,
          p.codeUsedAt,
          p.attemptCount,
          p.latestAttempt?.status ?? '',
          p.latestAttempt?.percentage ?? '',
        ]),
      );
    },

    /** Accounts by email prefix, for adding existing users quickly. */
    async searchUsers(actor: Actor, prefix: string): Promise<UserSearchResult> {
      assertRole(actor, EXAM_EDITORS);
      return { users: await repo.searchUsers(db, prefix.toLowerCase(), USER_SEARCH_LIMIT) };
    },
  };
}
export type ParticipantService = ReturnType<typeof createParticipantService>;
