// Questions of an exam: editing, ordering, import and export. Only the exam's owning
// teacher or an admin gets anywhere (loadExamFor answers 404 to everyone else). Every
// write locks the exam row first, so writes to one exam run one after another.
import type { Question as QuestionDto, QuestionImport, QuestionInput, QuestionsDocument } from '@exam-hall/protocol';
import { MAX_QUESTIONS_PER_DOCUMENT, QUESTIONS_EXPORT_FORMAT } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import type { NewQuestion, Question } from '../../db/schema/index.ts';
import { badRequest, conflict, notFound, type FieldProblem } from '../../http/errors.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { refreshQuestionTotals } from '../exams/exams.repository.ts';
import { loadExamFor } from '../exams/exams.service.ts';
import * as repo from './questions.repository.ts';
import { getQuestionType } from './types/index.ts';

export { studentQuestions, pickOrders, planAttemptOrders } from './questions.student.ts';

const EDITABLE_FIELDS = [
  'type',
  'prompt',
  'content',
  'answerKey',
  'points',
  'explanation',
  'difficulty',
  'tags',
] as const;

export function toQuestionDto(q: Question): QuestionDto {
  return {
    id: q.id,
    examId: q.examId,
    type: q.type,
    prompt: q.prompt,
    content: q.content,
    answerKey: q.answerKey,
    points: q.points,
    explanation: q.explanation,
    difficulty: q.difficulty,
    tags: q.tags,
    position: q.position,
  } as QuestionDto;
}

/** The editable part of a question: also one entry of an export document. */
function toDocumentQuestion(q: Question): QuestionInput {
  return {
    type: q.type,
    prompt: q.prompt,
    content: q.content,
    answerKey: q.answerKey,
    points: q.points,
    explanation: q.explanation,
    difficulty: q.difficulty,
    tags: q.tags,
  } as QuestionInput;
}

function toRow(input: QuestionInput) {
  return {
    type: input.type,
    prompt: input.prompt,
    content: input.content as Record<string, unknown>,
    answerKey: input.answerKey,
    points: input.points,
    explanation: input.explanation ?? null,
    difficulty: input.difficulty ?? null,
    tags: input.tags,
  } satisfies Partial<NewQuestion>;
}

/** The registry's own rules, on top of the body schema, so a type's validate() always has the last word. */
function registryProblems(input: QuestionInput, pathPrefix: string): FieldProblem[] {
  return getQuestionType(input.type)
    .validate(input.content, input.answerKey, input.prompt)
    .map((p) => ({ path: [pathPrefix, ...p.path.map(String)].join('.'), message: p.message }));
}

function throwIfProblems(problems: FieldProblem[]) {
  if (problems.length) {
    throw badRequest(
      `Some fields are invalid: ${problems.map((p) => `${p.path} (${p.message})`).join('; ')}`,
      problems,
    );
  }
}

/** JSON with sorted keys: jsonb does not keep the key order a client sent. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

function exportFilename(title: string) {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'exam'}-questions.json`;
}

export function createQuestionService(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;

  /**
   * Locks the exam for a question change. Once anyone has an attempt, the questions are what
   * their answers are graded against, so content changes stop; reordering stays allowed
   * because attempts keep their own order.
   */
  async function lockExam(tx: Tx, actor: Actor, examId: string, change: 'content' | 'order') {
    const exam = await loadExamFor(tx, actor, examId, { forUpdate: true });
    if (exam.status === 'archived') throw conflict('An archived exam cannot be changed.');
    if (change === 'content' && (await repo.examHasAttempts(tx, examId))) {
      throw conflict(
        'Students already have attempts at this exam, so questions can no longer be added, changed or deleted: their results would change.',
      );
    }
    return exam;
  }

  async function findOr404(tx: Db | Tx, examId: string, questionId: string) {
    const q = await repo.findQuestion(tx, examId, questionId);
    if (!q) throw notFound('Question');
    return q;
  }

  return {
    async list(actor: Actor, examId: string) {
      await loadExamFor(db, actor, examId);
      return (await repo.listQuestions(db, examId)).map(toQuestionDto);
    },

    async get(actor: Actor, examId: string, questionId: string) {
      await loadExamFor(db, actor, examId);
      return toQuestionDto(await findOr404(db, examId, questionId));
    },

    /** Appends at the end. */
    async create(caller: Caller, examId: string, input: QuestionInput) {
      throwIfProblems(registryProblems(input, 'body'));
      return db.transaction(async (tx) => {
        await lockExam(tx, caller.actor, examId, 'content');
        if ((await repo.countQuestions(tx, examId)) >= MAX_QUESTIONS_PER_DOCUMENT) {
          throw conflict(`An exam can hold at most ${MAX_QUESTIONS_PER_DOCUMENT} questions.`);
        }
        const position = await repo.nextPosition(tx, examId);
        const [q] = await repo.insertQuestions(tx, [
          { ...toRow(input), examId, position, createdBy: caller.actor.userId },
        ]);
        await refreshQuestionTotals(tx, examId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'question.created',
          targetType: 'question',
          targetId: q!.id,
          details: { examId, type: q!.type, position },
        });
        return toQuestionDto(q!);
      });
    },

    /** Replaces every editable field (the type may change); the position stays. */
    async update(caller: Caller, examId: string, questionId: string, input: QuestionInput) {
      throwIfProblems(registryProblems(input, 'body'));
      return db.transaction(async (tx) => {
        await lockExam(tx, caller.actor, examId, 'content');
        const before = await findOr404(tx, examId, questionId);
        const next = toRow(input);
        const was = toRow(toDocumentQuestion(before));
        const fields = EDITABLE_FIELDS.filter((f) => canonical(was[f]) !== canonical(next[f]));
        const q = await repo.updateQuestion(tx, questionId, next);
        await refreshQuestionTotals(tx, examId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'question.updated',
          targetType: 'question',
          targetId: questionId,
          details: { examId, fields },
        });
        return toQuestionDto(q);
      });
    },

    /** Deletes and closes the gap in positions. */
    async remove(caller: Caller, examId: string, questionId: string) {
      await db.transaction(async (tx) => {
        await lockExam(tx, caller.actor, examId, 'content');
        const q = await findOr404(tx, examId, questionId);
        await repo.deleteQuestion(tx, questionId);
        await repo.renumber(tx, examId);
        await refreshQuestionTotals(tx, examId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'question.deleted',
          targetType: 'question',
          targetId: questionId,
          details: { examId, type: q.type, position: q.position },
        });
      });
    },

    /** questionIds must be exactly the exam's questions, each once; they get positions 0..n-1. */
    async reorder(caller: Caller, examId: string, questionIds: readonly string[]) {
      return db.transaction(async (tx) => {
        await lockExam(tx, caller.actor, examId, 'order');
        const current = await repo.listQuestions(tx, examId);
        const known = new Set(current.map((q) => q.id));
        const seen = new Set<string>();
        const problems: FieldProblem[] = [];
        questionIds.forEach((id, i) => {
          if (!known.has(id))
            problems.push({ path: `body.questionIds.${i}`, message: `${id} is not a question of this exam` });
          else if (seen.has(id))
            problems.push({ path: `body.questionIds.${i}`, message: `${id} is listed more than once` });
          seen.add(id);
        });
        const missing = current.filter((q) => !seen.has(q.id)).map((q) => q.id);
        if (missing.length) {
          problems.push({
            path: 'body.questionIds',
            message: `List every question of the exam exactly once; missing: ${missing.join(', ')}`,
          });
        }
        throwIfProblems(problems);
        await repo.renumber(tx, examId, questionIds);
        await refreshQuestionTotals(tx, examId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'questions.reordered',
          targetType: 'exam',
          targetId: examId,
          details: { count: questionIds.length },
        });
        return (await repo.listQuestions(tx, examId)).map(toQuestionDto);
      });
    },

    /** The exam's questions as a portable document, and a file name for it. */
    async exportDocument(actor: Actor, examId: string): Promise<{ filename: string; document: QuestionsDocument }> {
      const exam = await loadExamFor(db, actor, examId);
      const rows = await repo.listQuestions(db, examId);
      return {
        filename: exportFilename(exam.title),
        document: {
          format: QUESTIONS_EXPORT_FORMAT,
          version: 1,
          exportedAt: new Date().toISOString(),
          questions: rows.map(toDocumentQuestion),
        },
      };
    },

    /** All or nothing: any bad question (already refused by the body schema) imports none. */
    async import(caller: Caller, examId: string, body: QuestionImport) {
      const incoming = body.document.questions;
      throwIfProblems(incoming.flatMap((q, i) => registryProblems(q, `body.document.questions.${i}`)));
      return db.transaction(async (tx) => {
        await lockExam(tx, caller.actor, examId, 'content');
        const existing = await repo.countQuestions(tx, examId);
        if (body.mode === 'replace') {
          await repo.deleteAllQuestions(tx, examId);
        } else if (existing + incoming.length > MAX_QUESTIONS_PER_DOCUMENT) {
          throwIfProblems([
            {
              path: 'body.document.questions',
              message: `The exam has ${existing} questions; ${incoming.length} more would exceed the limit of ${MAX_QUESTIONS_PER_DOCUMENT}`,
            },
          ]);
        }
        const start = body.mode === 'replace' ? 0 : await repo.nextPosition(tx, examId);
        await repo.insertQuestions(
          tx,
          incoming.map((q, i) => ({ ...toRow(q), examId, position: start + i, createdBy: caller.actor.userId })),
        );
        await refreshQuestionTotals(tx, examId);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'questions.imported',
          targetType: 'exam',
          targetId: examId,
          details: {
            count: incoming.length,
            mode: body.mode,
            ...(body.mode === 'replace' ? { replaced: existing } : {}),
          },
        });
        return { imported: incoming.length, questions: (await repo.listQuestions(tx, examId)).map(toQuestionDto) };
      });
    },
  };
}
export type QuestionService = ReturnType<typeof createQuestionService>;
