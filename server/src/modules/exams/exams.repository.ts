import { and, count, desc, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { refreshExamTotals } from '../banks/sections.repository.ts';
import { examParticipants, exams, type NewExam } from '../../db/schema/index.ts';

export async function findExam(db: Db | Tx, id: string, opts: { forUpdate?: boolean } = {}) {
  const q = db
    .select()
    .from(exams)
    .where(and(eq(exams.id, id), isNull(exams.deletedAt)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row;
}

/** Another exam (deleted ones too: the unique index covers them) holding this code, or undefined. */
export async function examIdWithCode(db: Db | Tx, code: string, exceptId?: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: exams.id })
    .from(exams)
    .where(and(eq(exams.code, code), exceptId ? ne(exams.id, exceptId) : undefined));
  return row?.id;
}

export async function insertExam(db: Db | Tx, values: NewExam) {
  const [row] = await db.insert(exams).values(values).returning();
  return row!;
}

export async function updateExam(db: Db | Tx, id: string, values: Partial<NewExam>) {
  const [row] = await db.update(exams).set(values).where(eq(exams.id, id)).returning();
  return row!;
}

export async function listExams(
  db: Db,
  /** managedBy: who may see them (policy/access.sql.ts), undefined for everyone. */
  filter: { managedBy?: SQL | undefined; courseId?: string | undefined; status?: string | undefined },
  page: { limit: number; offset: number },
) {
  const where: SQL[] = [isNull(exams.deletedAt)];
  if (filter.managedBy) where.push(filter.managedBy);
  if (filter.courseId) where.push(eq(exams.courseId, filter.courseId));
  if (filter.status) where.push(sql`${exams.status} = ${filter.status}`);
  const participantCount = db
    .select({ n: count() })
    .from(examParticipants)
    .where(eq(examParticipants.examId, exams.id));
  return db
    .select({ exam: exams, participantCount: sql<number>`(${participantCount})::int` })
    .from(exams)
    .where(and(...where))
    .orderBy(desc(exams.createdAt))
    .limit(page.limit)
    .offset(page.offset);
}

/** The exams a watch filter lets through (policy/access.sql.ts watchableExamsFilter), with live counts. */
export function listWatchableExams(db: Db, watchable: SQL | undefined) {
  return db
    .select({
      id: exams.id,
      title: exams.title,
      status: exams.status,
      startsAt: exams.startsAt,
      endsAt: exams.endsAt,
      availableAnytime: exams.availableAnytime,
      // Qualified by hand: inside a select list Drizzle renders ${exams.id} as a bare "id",
      // which the subquery would bind to its own table.
      inProgress: sql<number>`(select count(*) from attempts a where a.exam_id = "exams"."id" and a.status in ('in_progress', 'paused'))::int`,
      participants: sql<number>`(select count(*) from exam_participants p where p.exam_id = "exams"."id")::int`,
    })
    .from(exams)
    .where(watchable)
    .orderBy(sql`${exams.startsAt} desc nulls first`, exams.title)
    .limit(200);
}

/** Recomputes the denormalised question count and total points: the exam's questions and its sections' (banks). */
export async function refreshQuestionTotals(db: Db | Tx, examId: string) {
  await refreshExamTotals(db, examId);
}
