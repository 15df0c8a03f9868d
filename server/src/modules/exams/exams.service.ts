// Exams: settings, lifecycle (draft -> published -> archived), soft delete.
// Only the teacher who owns an exam, a teacher of its course (policy/access.ts) or an
// admin can see or change it; others get 404 so exam ids cannot be probed.
import type { Exam as ExamDto, ExamCreate, ExamUpdate, WatchableExam } from '@exam-hall/protocol';
import {
  browserNames,
  DEFAULT_CAMERA_SETTINGS,
  examWindowProblems,
  type BrowserName,
  type CameraSettings,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { exams, type Exam } from '../../db/schema/index.ts';
import { AppError, badRequest, conflict, notFound } from '../../http/errors.ts';
import { assertManages, assertRole, watchableExam } from '../../policy/access.ts';
import { accessFacts, managedBy, watchableExamsFilter } from '../../policy/access.sql.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { findCourseFor } from '../courses/courses.service.ts';
import * as repo from './exams.repository.ts';

export const EXAM_EDITORS = ['teacher', 'admin'] as const;

/**
 * The exam if the actor may manage it (its author, a teacher of its course, or an
 * admin); 404 otherwise. The single ownership check for exams.
 */
export async function loadExamFor(db: Db | Tx, actor: Actor, examId: string, opts: { forUpdate?: boolean } = {}) {
  assertRole(actor, EXAM_EDITORS);
  const exam = await repo.findExam(db, examId, opts);
  if (!exam) throw notFound('Exam');
  await assertManages(actor, { ownerId: exam.createdBy, courseId: exam.courseId }, accessFacts(db), 'Exam');
  return exam;
}

/** The exam if the actor may watch its hall (policy/access.ts watchableExam): 403 for other roles, else 404. */
export function loadWatchableExam(db: Db | Tx, actor: Actor | null, examId: string): Promise<Exam> {
  return watchableExam(actor, () => repo.findExam(db, examId), accessFacts(db));
}

/** The exam's camera settings; rows saved before camera proctoring existed read as camera off. */
export function cameraSettingsOf(e: Pick<Exam, 'proctoring'>): CameraSettings {
  return { ...DEFAULT_CAMERA_SETTINGS, ...(e.proctoring.camera ?? {}) };
}

/** The exam's proctoring settings as the protocol has them (rows saved before allowedBrowsers was kept have none). */
export function proctoringOf(e: Pick<Exam, 'proctoring'>): ExamDto['proctoring'] {
  return {
    ...e.proctoring,
    allowedBrowsers: (e.proctoring.allowedBrowsers ?? []).filter((b): b is BrowserName =>
      (browserNames as readonly string[]).includes(b),
    ),
    camera: cameraSettingsOf(e),
  };
}

export function toExamDto(e: Exam, participantCount?: number): ExamDto {
  return {
    id: e.id,
    courseId: e.courseId,
    createdBy: e.createdBy,
    title: e.title,
    description: e.description,
    instructions: e.instructions,
    durationMinutes: e.durationMinutes,
    availableAnytime: e.availableAnytime,
    startsAt: e.startsAt?.toISOString() ?? null,
    endsAt: e.endsAt?.toISOString() ?? null,
    shuffleQuestions: e.shuffleQuestions,
    shuffleOptions: e.shuffleOptions,
    passingScore: e.passingScore,
    maxAttempts: e.maxAttempts,
    allowReview: e.allowReview,
    resultsPolicy: e.resultsPolicy,
    partialCreditRule: e.partialCreditRule,
    partialCreditPenalty: e.partialCreditPenalty,
    proctoring: proctoringOf(e),
    disconnectPolicy: e.disconnectPolicy,
    disconnectCreditMaxMinutes: e.disconnectCreditMaxMinutes,
    issueCertificates: e.issueCertificates,
    startMode: e.startMode,
    code: e.code,
    blindGrading: e.blindGrading,
    reviewRiskThreshold: e.reviewRiskThreshold,
    status: e.status,
    publishedAt: e.publishedAt?.toISOString() ?? null,
    questionCount: e.questionCount,
    totalPoints: e.totalPoints,
    ...(participantCount === undefined ? {} : { participantCount }),
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

function toRow<T extends Partial<ExamCreate>>(input: T) {
  const { startsAt, endsAt, ...rest } = input;
  return {
    ...rest,
    ...(startsAt !== undefined ? { startsAt: startsAt ? new Date(startsAt) : null } : {}),
    ...(endsAt !== undefined ? { endsAt: endsAt ? new Date(endsAt) : null } : {}),
  };
}

/** Applies the availability-window rule to the exam as it would be after a change. */
function checkWindow(merged: { availableAnytime: boolean; startsAt: string | null; endsAt: string | null }) {
  const issues = examWindowProblems(merged).map((p) => ({ path: `body.${p.path}`, message: p.message }));
  if (issues.length) throw badRequest(issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

const CODE_UNIQUE = 'exams_code_uq';

/** The exam code is taken (by another exam, including a deleted one): 409 naming the field. */
function codeTaken(code: string) {
  const message = `The exam code ${code} is already used by another exam. Choose another, or generate one.`;
  return new AppError(409, 'conflict', message, { fields: [{ path: 'body.code', message: 'is already used' }] });
}

function isCodeCollision(err: unknown): boolean {
  for (let e = err as { code?: string; constraint?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505' && e.constraint === CODE_UNIQUE) return true;
  }
  return false;
}

/** An exam code only makes sense for an exam of a course: its students are the ones who may join. */
function checkCode(merged: { code: string | null; courseId: string | null }) {
  if (merged.code && !merged.courseId) {
    throw badRequest('An exam code needs a course: only students enrolled in the course can join with it.', [
      { path: 'body.code', message: 'needs the exam to belong to a course' },
    ]);
  }
}

/** Saves, turning a lost race for the same code (two teachers at once) into the same 409. */
async function savingCode<T>(code: string | null | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (code && isCodeCollision(err)) throw codeTaken(code);
    throw err;
  }
}

export function createExamService(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;

  async function assertCourse(actor: Actor, courseId: string | null | undefined) {
    if (courseId) await findCourseFor(db, actor, courseId);
  }

  async function assertCodeFree(tx: Tx, code: string | null | undefined, examId?: string) {
    if (code && (await repo.examIdWithCode(tx, code, examId))) throw codeTaken(code);
  }

  return {
    async list(
      actor: Actor,
      q: { courseId?: string | undefined; status?: string | undefined; limit: number; offset: number },
    ) {
      assertRole(actor, EXAM_EDITORS);
      const rows = await repo.listExams(
        db,
        { managedBy: managedBy(actor, exams.createdBy, exams.courseId), courseId: q.courseId, status: q.status },
        q,
      );
      return rows.map((r) => toExamDto(r.exam, r.participantCount));
    },

    /** The published exams whose hall this actor may watch (at most 200), with live counts. */
    async watchable(actor: Actor): Promise<WatchableExam[]> {
      const rows = await repo.listWatchableExams(db, watchableExamsFilter(actor));
      return rows.map((r) => ({
        ...r,
        startsAt: r.startsAt?.toISOString() ?? null,
        endsAt: r.endsAt?.toISOString() ?? null,
      }));
    },

    async get(actor: Actor, id: string) {
      return toExamDto(await loadExamFor(db, actor, id));
    },

    async create(caller: Caller, input: ExamCreate) {
      assertRole(caller.actor, EXAM_EDITORS);
      await assertCourse(caller.actor, input.courseId);
      checkCode({ code: input.code ?? null, courseId: input.courseId ?? null });
      return savingCode(input.code, () =>
        db.transaction(async (tx) => {
          await assertCodeFree(tx, input.code);
          const exam = await repo.insertExam(tx, { ...toRow(input), createdBy: caller.actor.userId, status: 'draft' });
          await audit.record(tx, auditContextOf(secret, caller), {
            action: 'exam.created',
            targetType: 'exam',
            targetId: exam.id,
            details: { title: exam.title },
          });
          return toExamDto(exam);
        }),
      );
    },

    async update(caller: Caller, id: string, patch: ExamUpdate) {
      return savingCode(patch.code, () =>
        db.transaction(async (tx) => {
          const exam = await loadExamFor(tx, caller.actor, id, { forUpdate: true });
          if (exam.status === 'archived') throw conflict('An archived exam cannot be changed.');
          if (patch.courseId !== undefined) await assertCourse(caller.actor, patch.courseId);
          const current = toExamDto(exam);
          checkWindow({
            availableAnytime: patch.availableAnytime ?? current.availableAnytime,
            startsAt: patch.startsAt !== undefined ? (patch.startsAt ?? null) : (current.startsAt ?? null),
            endsAt: patch.endsAt !== undefined ? (patch.endsAt ?? null) : (current.endsAt ?? null),
          });
          checkCode({
            code: patch.code !== undefined ? patch.code : current.code,
            courseId: patch.courseId !== undefined ? (patch.courseId ?? null) : (current.courseId ?? null),
          });
          await assertCodeFree(tx, patch.code, id);
          // A proctoring patch without camera settings keeps the exam's (older clients send none).
          const { proctoring, ...rest } = patch;
          const merged = {
            ...rest,
            ...(proctoring
              ? { proctoring: { ...proctoring, camera: proctoring.camera ?? cameraSettingsOf(exam) } }
              : {}),
          };
          const updated = await repo.updateExam(tx, id, toRow(merged));
          await audit.record(tx, auditContextOf(secret, caller), {
            action: 'exam.updated',
            targetType: 'exam',
            targetId: id,
            details: { fields: Object.keys(patch) },
          });
          return toExamDto(updated);
        }),
      );
    },

    /** Publishing needs at least one question and a window that has not already closed. */
    async publish(caller: Caller, id: string) {
      return db.transaction(async (tx) => {
        const exam = await loadExamFor(tx, caller.actor, id, { forUpdate: true });
        if (exam.status === 'published') return toExamDto(exam);
        if (exam.status === 'archived') throw conflict('An archived exam cannot be published again.');
        await repo.refreshQuestionTotals(tx, id);
        const fresh = (await repo.findExam(tx, id))!;
        const problems: { path: string; message: string }[] = [];
        if (fresh.questionCount < 1)
          problems.push({ path: 'questions', message: 'Add at least one question before publishing' });
        if (!fresh.availableAnytime && fresh.endsAt && fresh.endsAt.getTime() <= Date.now()) {
          problems.push({
            path: 'endsAt',
            message: 'The availability window has already ended; move it before publishing',
          });
        }
        if (problems.length) {
          throw badRequest(
            `This exam cannot be published yet: ${problems.map((p) => p.message).join('; ')}.`,
            problems,
          );
        }
        const updated = await repo.updateExam(tx, id, { status: 'published', publishedAt: new Date() });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'exam.published',
          targetType: 'exam',
          targetId: id,
        });
        return toExamDto(updated);
      });
    },

    async archive(caller: Caller, id: string) {
      return db.transaction(async (tx) => {
        await loadExamFor(tx, caller.actor, id, { forUpdate: true });
        const updated = await repo.updateExam(tx, id, { status: 'archived' });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'exam.archived',
          targetType: 'exam',
          targetId: id,
        });
        return toExamDto(updated);
      });
    },

    /** Soft delete: the exam disappears from lists and lookups; attempts and results stay. */
    async remove(caller: Caller, id: string) {
      await db.transaction(async (tx) => {
        await loadExamFor(tx, caller.actor, id, { forUpdate: true });
        await repo.updateExam(tx, id, { deletedAt: new Date() });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'exam.deleted',
          targetType: 'exam',
          targetId: id,
        });
      });
    },
  };
}
export type ExamService = ReturnType<typeof createExamService>;
