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
import type { QuestionOwner } from './questions.repository.ts';
import { questionProblems, sanitizeQuestionInput } from './types/index.ts';

export { studentQuestions, pickOrders, planAttemptOrders } from './questions.student.ts';
export type { QuestionOwner };

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
    bankId: q.bankId,
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

/** The row to store; texts are sanitised HTML on every save path (create, update, import). */
function toRow(raw: QuestionInput) {
  const input = sanitizeQuestionInput(raw);
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
  return questionProblems(input).map((p) => ({
    path: [pathPrefix, ...p.path.map(String)].join('.'),
    message: p.message,
  }));
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

/**
 * How changes to one owner's questions are guarded: the exam's rules (below) or a bank's
 * (banks/banks.service.ts). Everything else (validation, positions, audit) is shared.
 */
export interface OwnerScope {
  owner: QuestionOwner;
  /** What holds the questions, for messages: 'An exam', 'A bank'. */
  noun: string;
  /** Locks the owner's row for the change, checking the actor may make it (404 / 409 otherwise). */
  lock(tx: Tx, change: 'content' | 'order'): Promise<void>;
  /** Before one question is changed or deleted (after the lock): refuse what would break attempts or sections. */
  beforeChange?(tx: Tx, before: Question, next: ReturnType<typeof toRow> | null): Promise<void>;
  /** After any change, in the same transaction: denormalised totals. */
  changed(tx: Tx): Promise<void>;
}

const ownerDetails = (owner: QuestionOwner) =>
  'examId' in owner ? { examId: owner.examId } : { bankId: owner.bankId };

/** Create, update, delete and reorder one owner's questions, validated and audited alike for exams and banks. */
export function createOwnedQuestions(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;

  async function findOr404(tx: Db | Tx, owner: QuestionOwner, questionId: string) {
    const q = await repo.findQuestion(tx, owner, questionId);
    if (!q) throw notFound('Question');
    return q;
  }

  return {
    findOr404,

    /** Appends at the end, all or nothing; problems are named under `pathPrefix.<index>`. */
    async addMany(caller: Caller, scope: OwnerScope, inputs: readonly QuestionInput[], pathPrefix = 'body') {
      throwIfProblems(
        inputs.flatMap((q, i) => registryProblems(q, inputs.length === 1 ? pathPrefix : `${pathPrefix}.${i}`)),
      );
      return db.transaction(async (tx) => {
        await scope.lock(tx, 'content');
        const existing = await repo.countQuestions(tx, scope.owner);
        if (existing + inputs.length > MAX_QUESTIONS_PER_DOCUMENT) {
          throw conflict(
            `${scope.noun} can hold at most ${MAX_QUESTIONS_PER_DOCUMENT} questions; it has ${existing}, so ${inputs.length} more do not fit.`,
          );
        }
        const start = await repo.nextPosition(tx, scope.owner);
        const rows = await repo.insertQuestions(
          tx,
          inputs.map((input, i) => ({
            ...toRow(input),
            ...ownerDetails(scope.owner),
            position: start + i,
            createdBy: caller.actor.userId,
          })),
        );
        await scope.changed(tx);
        for (const q of rows) {
          await audit.record(tx, auditContextOf(secret, caller), {
            action: 'question.created',
            targetType: 'question',
            targetId: q.id,
            details: { ...ownerDetails(scope.owner), type: q.type, position: q.position },
          });
        }
        return rows.map(toQuestionDto);
      });
    },

    /** Replaces every editable field (the type may change); the position stays. */
    async update(caller: Caller, scope: OwnerScope, questionId: string, input: QuestionInput) {
      throwIfProblems(registryProblems(input, 'body'));
      return db.transaction(async (tx) => {
        await scope.lock(tx, 'content');
        const before = await findOr404(tx, scope.owner, questionId);
        const next = toRow(input);
        await scope.beforeChange?.(tx, before, next);
        const was = toRow(toDocumentQuestion(before));
        const fields = EDITABLE_FIELDS.filter((f) => canonical(was[f]) !== canonical(next[f]));
        const q = await repo.updateQuestion(tx, questionId, next);
        await scope.changed(tx);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'question.updated',
          targetType: 'question',
          targetId: questionId,
          details: { ...ownerDetails(scope.owner), fields },
        });
        return toQuestionDto(q);
      });
    },

    /** Deletes and closes the gap in positions. */
    async remove(caller: Caller, scope: OwnerScope, questionId: string) {
      await db.transaction(async (tx) => {
        await scope.lock(tx, 'content');
        const q = await findOr404(tx, scope.owner, questionId);
        await scope.beforeChange?.(tx, q, null);
        await repo.deleteQuestion(tx, questionId);
        await repo.renumber(tx, scope.owner);
        await scope.changed(tx);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'question.deleted',
          targetType: 'question',
          targetId: questionId,
          details: { ...ownerDetails(scope.owner), type: q.type, position: q.position },
        });
      });
    },

    /** questionIds must be exactly the owner's questions, each once; they get positions 0..n-1. */
    async reorder(caller: Caller, scope: OwnerScope, questionIds: readonly string[]) {
      return db.transaction(async (tx) => {
        await scope.lock(tx, 'order');
        const current = await repo.listQuestions(tx, scope.owner);
        const known = new Set(current.map((q) => q.id));
        const seen = new Set<string>();
        const problems: FieldProblem[] = [];
        const where = 'examId' in scope.owner ? 'this exam' : 'this bank';
        questionIds.forEach((id, i) => {
          if (!known.has(id))
            problems.push({ path: `body.questionIds.${i}`, message: `${id} is not a question of ${where}` });
          else if (seen.has(id))
            problems.push({ path: `body.questionIds.${i}`, message: `${id} is listed more than once` });
          seen.add(id);
        });
        const missing = current.filter((q) => !seen.has(q.id)).map((q) => q.id);
        if (missing.length) {
          problems.push({
            path: 'body.questionIds',
            message: `List every question of ${where} exactly once; missing: ${missing.join(', ')}`,
          });
        }
        throwIfProblems(problems);
        await repo.renumber(tx, scope.owner, questionIds);
        await scope.changed(tx);
        const target =
          'examId' in scope.owner
            ? { targetType: 'exam', targetId: scope.owner.examId }
            : { targetType: 'question_bank', targetId: scope.owner.bankId };
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'questions.reordered',
          ...target,
          details: { count: questionIds.length },
        });
        return (await repo.listQuestions(tx, scope.owner)).map(toQuestionDto);
      });
    },
  };
}

export function createQuestionService(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;
  const owned = createOwnedQuestions(deps);

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

  const examScope = (actor: Actor, examId: string): OwnerScope => ({
    owner: { examId },
    noun: 'An exam',
    lock: async (tx, change) => void (await lockExam(tx, actor, examId, change)),
    changed: (tx) => refreshQuestionTotals(tx, examId),
  });

  return {
    async list(actor: Actor, examId: string) {
      await loadExamFor(db, actor, examId);
      return (await repo.listQuestions(db, examId)).map(toQuestionDto);
    },

    async get(actor: Actor, examId: string, questionId: string) {
      await loadExamFor(db, actor, examId);
      return toQuestionDto(await owned.findOr404(db, { examId }, questionId));
    },

    /** Appends at the end. */
    async create(caller: Caller, examId: string, input: QuestionInput) {
      const [q] = await owned.addMany(caller, examScope(caller.actor, examId), [input]);
      return q!;
    },

    /** Replaces every editable field (the type may change); the position stays. */
    update(caller: Caller, examId: string, questionId: string, input: QuestionInput) {
      return owned.update(caller, examScope(caller.actor, examId), questionId, input);
    },

    /** Deletes and closes the gap in positions. */
    remove(caller: Caller, examId: string, questionId: string) {
      return owned.remove(caller, examScope(caller.actor, examId), questionId);
    },

    /** questionIds must be exactly the exam's questions, each once; they get positions 0..n-1. */
    reorder(caller: Caller, examId: string, questionIds: readonly string[]) {
      return owned.reorder(caller, examScope(caller.actor, examId), questionIds);
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
