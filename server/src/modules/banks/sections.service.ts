// An exam's sections: after its own questions, each attempt gets a fixed list of bank
// questions or N drawn at random from a bank (banks/draw.ts). Only those who manage the exam
// edit them (loadExamFor: 404 otherwise), only from banks of the exam's course that they
// manage, and like the exam's questions only until someone has an attempt.
import type { Section as SectionDto, SectionInput } from '@exam-hall/protocol';
import { MAX_QUESTIONS_PER_DOCUMENT, MAX_SECTIONS_PER_EXAM } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { AppError, badRequest, conflict, notFound, type FieldProblem } from '../../http/errors.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { loadExamFor } from '../exams/exams.service.ts';
import { countQuestions, examHasAttempts } from '../questions/questions.repository.ts';
import { loadBankFor } from './banks.service.ts';
import * as repo from './sections.repository.ts';

export function toSectionDto(s: repo.SectionRow): SectionDto {
  return {
    id: s.id,
    examId: s.examId,
    position: s.position,
    title: s.title,
    kind: s.kind,
    bankId: s.bankId,
    bankName: s.bankName,
    questionIds: s.questionIds,
    tag: s.tag,
    difficulty: s.difficulty,
    drawCount: s.drawCount,
    pointsEach: s.pointsEach,
    questionCount: s.kind === 'fixed' ? s.questionIds.length : s.drawCount,
    available: s.available,
  };
}

function toRow(input: SectionInput) {
  const common = { title: input.title ?? null, bankId: input.bankId, pointsEach: input.pointsEach ?? null };
  return input.kind === 'fixed'
    ? { ...common, kind: 'fixed' as const, questionIds: input.questionIds, tag: null, difficulty: null, drawCount: 0 }
    : {
        ...common,
        kind: 'random' as const,
        questionIds: [],
        tag: input.tag ?? null,
        difficulty: input.difficulty ?? null,
        drawCount: input.drawCount,
      };
}

const sectionSize = (s: { kind: string; questionIds: readonly string[]; drawCount: number }) =>
  s.kind === 'fixed' ? s.questionIds.length : s.drawCount;

export function createSectionService(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;

  /** Locks the exam for a section change; content changes stop once anyone has an attempt. */
  async function lockExam(tx: Tx, actor: Actor, examId: string, change: 'content' | 'order') {
    const exam = await loadExamFor(tx, actor, examId, { forUpdate: true });
    if (exam.status === 'archived') throw conflict('An archived exam cannot be changed.');
    if (change === 'content' && (await examHasAttempts(tx, examId))) {
      throw conflict(
        'Students already have attempts at this exam, so its sections can no longer be added, changed or deleted: their results would change.',
      );
    }
    return exam;
  }

  /** The section's bank must be one of the exam's course that the actor manages; its questions must be there. */
  async function checkInput(tx: Tx, actor: Actor, exam: { id: string; courseId: string | null }, input: SectionInput) {
    const bank = await loadBankFor(tx, actor, input.bankId).catch((e: unknown) => {
      if (e instanceof AppError && e.status === 404) return undefined;
      throw e;
    });
    if (!bank || bank.bank.courseId !== exam.courseId) {
      throw badRequest(
        exam.courseId
          ? 'bankId is not a question bank of this exam’s course'
          : 'This exam belongs to no course: give it a course first, then take questions from that course’s banks',
        [{ path: 'body.bankId', message: 'Not a question bank of this exam’s course' }],
      );
    }
    if (input.kind === 'fixed') {
      const present = await repo.bankQuestionIds(tx, input.bankId, input.questionIds);
      const problems: FieldProblem[] = input.questionIds.flatMap((id, i) =>
        present.has(id) ? [] : [{ path: `body.questionIds.${i}`, message: `${id} is not a question of this bank` }],
      );
      if (problems.length) {
        throw badRequest(`Some questions are not in the bank: ${problems.map((p) => p.path).join(', ')}`, problems);
      }
    } else {
      const matching = await repo.countPool(tx, {
        bankId: input.bankId,
        tag: input.tag ?? null,
        difficulty: input.difficulty ?? null,
      });
      if (matching < input.drawCount) {
        const filter = [input.tag ? `tag "${input.tag}"` : '', input.difficulty ? `difficulty ${input.difficulty}` : '']
          .filter(Boolean)
          .join(' and ');
        throw new AppError(
          409,
          'conflict',
          `Only ${matching} question${matching === 1 ? '' : 's'} of "${bank.bank.name}" match${filter ? ` ${filter}` : ''}, fewer than the ${input.drawCount} this section would draw. Draw at most ${matching}, or add questions to the bank.`,
          {
            fields: [{ path: 'body.drawCount', message: `Only ${matching} questions match; draw at most ${matching}` }],
          },
        );
      }
    }
  }

  /** An attempt holds at most MAX_QUESTIONS_PER_DOCUMENT questions: the exam's own plus every section's. */
  async function checkSize(
    tx: Tx,
    examId: string,
    sections: readonly { kind: string; questionIds: readonly string[]; drawCount: number }[],
  ) {
    const total = (await countQuestions(tx, { examId })) + sections.reduce((n, s) => n + sectionSize(s), 0);
    if (total > MAX_QUESTIONS_PER_DOCUMENT) {
      throw conflict(
        `Each attempt would get ${total} questions; an exam gives at most ${MAX_QUESTIONS_PER_DOCUMENT}. Draw fewer.`,
      );
    }
  }

  async function findOr404(tx: Db | Tx, examId: string, sectionId: string) {
    const s = await repo.findSection(tx, examId, sectionId);
    if (!s) throw notFound('Section');
    return s;
  }

  return {
    async list(actor: Actor, examId: string) {
      await loadExamFor(db, actor, examId);
      return (await repo.listSections(db, examId)).map(toSectionDto);
    },

    /** Appends a section after the others. */
    async create(caller: Caller, examId: string, input: SectionInput) {
      return db.transaction(async (tx) => {
        const exam = await lockExam(tx, caller.actor, examId, 'content');
        const current = await repo.listSections(tx, examId);
        if (current.length >= MAX_SECTIONS_PER_EXAM) {
          throw conflict(`An exam can have at most ${MAX_SECTIONS_PER_EXAM} sections.`);
        }
        await checkInput(tx, caller.actor, exam, input);
        const row = toRow(input);
        await checkSize(tx, examId, [...current, row]);
        const position = await repo.nextSectionPosition(tx, examId);
        const id = await repo.insertSection(tx, { ...row, examId, position });
        await repo.refreshExamTotals(tx, examId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'section.created',
          targetType: 'exam_section',
          targetId: id,
          details: { examId, kind: row.kind, bankId: row.bankId, questions: sectionSize(row), position },
        });
        return toSectionDto(await findOr404(tx, examId, id));
      });
    },

    /** Replaces every field (the kind may change); the position stays. */
    async update(caller: Caller, examId: string, sectionId: string, input: SectionInput) {
      return db.transaction(async (tx) => {
        const exam = await lockExam(tx, caller.actor, examId, 'content');
        const current = await repo.listSections(tx, examId);
        if (!current.some((s) => s.id === sectionId)) throw notFound('Section');
        await checkInput(tx, caller.actor, exam, input);
        const row = toRow(input);
        await checkSize(tx, examId, [...current.filter((s) => s.id !== sectionId), row]);
        await repo.updateSection(tx, sectionId, row);
        await repo.refreshExamTotals(tx, examId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'section.updated',
          targetType: 'exam_section',
          targetId: sectionId,
          details: { examId, kind: row.kind, bankId: row.bankId, questions: sectionSize(row) },
        });
        return toSectionDto(await findOr404(tx, examId, sectionId));
      });
    },

    async remove(caller: Caller, examId: string, sectionId: string) {
      await db.transaction(async (tx) => {
        await lockExam(tx, caller.actor, examId, 'content');
        const s = await findOr404(tx, examId, sectionId);
        await repo.deleteSection(tx, sectionId);
        await repo.renumberSections(tx, examId);
        await repo.refreshExamTotals(tx, examId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'section.deleted',
          targetType: 'exam_section',
          targetId: sectionId,
          details: { examId, kind: s.kind, bankId: s.bankId, position: s.position },
        });
      });
    },

    /** sectionIds must be exactly the exam's sections, each once. Attempts keep the order they drew in. */
    async reorder(caller: Caller, examId: string, sectionIds: readonly string[]) {
      return db.transaction(async (tx) => {
        await lockExam(tx, caller.actor, examId, 'order');
        const current = await repo.listSections(tx, examId);
        const known = new Set(current.map((s) => s.id));
        const seen = new Set<string>();
        const problems: FieldProblem[] = [];
        sectionIds.forEach((id, i) => {
          if (!known.has(id))
            problems.push({ path: `body.sectionIds.${i}`, message: `${id} is not a section of this exam` });
          else if (seen.has(id))
            problems.push({ path: `body.sectionIds.${i}`, message: `${id} is listed more than once` });
          seen.add(id);
        });
        const missing = current.filter((s) => !seen.has(s.id)).map((s) => s.id);
        if (missing.length) {
          problems.push({
            path: 'body.sectionIds',
            message: `List every section of the exam exactly once; missing: ${missing.join(', ')}`,
          });
        }
        if (problems.length) {
          throw badRequest(
            `Some fields are invalid: ${problems.map((p) => `${p.path} (${p.message})`).join('; ')}`,
            problems,
          );
        }
        await repo.renumberSections(tx, examId, sectionIds);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'sections.reordered',
          targetType: 'exam',
          targetId: examId,
          details: { count: sectionIds.length },
        });
        return (await repo.listSections(tx, examId)).map(toSectionDto);
      });
    },
  };
}
export type SectionService = ReturnType<typeof createSectionService>;
