// Question banks: a course's pool of questions that exams take from through sections
// (sections.service.ts). Those who manage the course (its teacher, co-teachers, admins)
// manage its banks; anyone else gets 404. Bank questions are edited with the same rules,
// validation and audit as an exam's (questions.service.ts createOwnedQuestions); what is
// particular to a bank is guarded here: a question an attempt drew is what its answers are
// graded against, and a change must leave every section's pool large enough.
import type { Bank as BankDto, BankInput, QuestionInput } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { assertManages, assertRole } from '../../policy/access.ts';
import { accessFacts } from '../../policy/access.sql.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { findCourseFor } from '../courses/courses.service.ts';
import { createOwnedQuestions, toQuestionDto, type OwnerScope } from '../questions/questions.service.ts';
import * as questionsRepo from '../questions/questions.repository.ts';
import * as repo from './banks.repository.ts';
import { refreshExamTotals, sectionsOfBank } from './sections.repository.ts';
import { bankStatistics } from './banks.stats.ts';

const BANK_EDITORS = ['teacher', 'admin'] as const;

export function toBankDto(r: repo.BankRow): BankDto {
  return {
    id: r.bank.id,
    courseId: r.bank.courseId,
    courseName: r.courseName,
    name: r.bank.name,
    description: r.bank.description,
    questionCount: r.questionCount,
    tags: r.tags ?? [],
    createdAt: r.bank.createdAt.toISOString(),
    updatedAt: r.bank.updatedAt.toISOString(),
  };
}

/** The bank if the actor manages its course (policy/access.ts manages); 404 otherwise. */
export async function loadBankFor(db: Db | Tx, actor: Actor, bankId: string, opts: { forUpdate?: boolean } = {}) {
  assertRole(actor, BANK_EDITORS);
  const row = await repo.findBank(db, bankId, opts);
  if (!row) throw notFound('Question bank');
  await assertManages(
    actor,
    { ownerId: row.courseTeacherId, courseId: row.bank.courseId },
    accessFacts(db),
    'Question bank',
  );
  return row;
}

const describeFilter = (s: { tag: string | null; difficulty: string | null }) =>
  [s.tag ? `tag "${s.tag}"` : '', s.difficulty ? `difficulty ${s.difficulty}` : ''].filter(Boolean).join(' and ') ||
  'no filter';

/** After a bank change (same transaction): every section still finds its questions; exams' totals follow. */
async function sectionsStillHold(tx: Tx, bankId: string) {
  const sections = await sectionsOfBank(tx, bankId);
  for (const s of sections) {
    if (s.kind === 'fixed' && s.available < s.questionIds.length) {
      throw conflict(
        `The exam "${s.examTitle}" lists this question in one of its sections. Remove it from that section first.`,
      );
    }
    if (s.kind === 'random' && s.available < s.drawCount) {
      throw conflict(
        `The exam "${s.examTitle}" draws ${s.drawCount} questions from this bank (${describeFilter(s)}); after this change only ${s.available} would match. Change that section first.`,
      );
    }
  }
  for (const examId of new Set(sections.map((s) => s.examId))) await refreshExamTotals(tx, examId);
}

export function createBankService(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;
  const owned = createOwnedQuestions(deps);

  const bankScope = (actor: Actor, bankId: string): OwnerScope => ({
    owner: { bankId },
    noun: 'A question bank',
    lock: async (tx) => void (await loadBankFor(tx, actor, bankId, { forUpdate: true })),
    async beforeChange(tx, before) {
      const holding = await repo.attemptsHolding(tx, before.id);
      if (holding > 0) {
        throw conflict(
          `${holding} attempt${holding === 1 ? ' has' : 's have'} already drawn this question, so it can no longer be changed or deleted: their results would change. Add a new question instead.`,
        );
      }
    },
    changed: (tx) => sectionsStillHold(tx, bankId),
  });

  async function reload(bankId: string, tx: Db | Tx = db) {
    return toBankDto((await repo.findBank(tx, bankId))!);
  }

  return {
    async list(actor: Actor, courseId: string) {
      await findCourseFor(db, actor, courseId);
      return (await repo.listBanks(db, courseId)).map(toBankDto);
    },

    async get(actor: Actor, bankId: string) {
      return toBankDto(await loadBankFor(db, actor, bankId));
    },

    async create(caller: Caller, courseId: string, input: BankInput) {
      return db.transaction(async (tx) => {
        await findCourseFor(tx, caller.actor, courseId);
        const id = await repo.insertBank(tx, {
          courseId,
          name: input.name,
          description: input.description ?? null,
          createdBy: caller.actor.userId,
        });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'bank.created',
          targetType: 'question_bank',
          targetId: id,
          details: { courseId },
        });
        return reload(id, tx);
      });
    },

    async update(caller: Caller, bankId: string, input: BankInput) {
      return db.transaction(async (tx) => {
        const before = await loadBankFor(tx, caller.actor, bankId, { forUpdate: true });
        const next = { name: input.name, description: input.description ?? null };
        const fields = (['name', 'description'] as const).filter((f) => before.bank[f] !== next[f]);
        await repo.updateBank(tx, bankId, next);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'bank.updated',
          targetType: 'question_bank',
          targetId: bankId,
          details: { fields },
        });
        return reload(bankId, tx);
      });
    },

    /** Soft delete: attempts keep the questions they drew; refused while an exam still takes from the bank. */
    async remove(caller: Caller, bankId: string) {
      await db.transaction(async (tx) => {
        const row = await loadBankFor(tx, caller.actor, bankId, { forUpdate: true });
        const using = await repo.examsUsingBank(tx, bankId);
        if (using.length) {
          throw conflict(
            `Exams still take questions from this bank: ${using.map((e) => `"${e.title}"`).join(', ')}. Remove those sections first.`,
          );
        }
        await repo.updateBank(tx, bankId, { deletedAt: new Date() });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'bank.deleted',
          targetType: 'question_bank',
          targetId: bankId,
          details: { courseId: row.bank.courseId, questionCount: row.questionCount },
        });
      });
    },

    async questions(actor: Actor, bankId: string) {
      await loadBankFor(db, actor, bankId);
      return (await questionsRepo.listQuestions(db, { bankId })).map(toQuestionDto);
    },

    /** Appends questions at the end of the bank, all or nothing (also what importers call). */
    addQuestions(caller: Caller, bankId: string, inputs: readonly QuestionInput[], pathPrefix = 'body') {
      return owned.addMany(caller, bankScope(caller.actor, bankId), inputs, pathPrefix);
    },

    updateQuestion(caller: Caller, bankId: string, questionId: string, input: QuestionInput) {
      return owned.update(caller, bankScope(caller.actor, bankId), questionId, input);
    },

    removeQuestion(caller: Caller, bankId: string, questionId: string) {
      return owned.remove(caller, bankScope(caller.actor, bankId), questionId);
    },

    reorderQuestions(caller: Caller, bankId: string, questionIds: readonly string[]) {
      return owned.reorder(caller, bankScope(caller.actor, bankId), questionIds);
    },

    async stats(actor: Actor, bankId: string) {
      await loadBankFor(db, actor, bankId);
      return { questions: await bankStatistics(db, bankId) };
    },
  };
}
export type BankService = ReturnType<typeof createBankService>;
