import { and, count, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { examParticipants, exams, questions, type NewExam } from '../../db/schema/index.ts';

export async function findExam(db: Db | Tx, id: string, opts: { forUpdate?: boolean } = {}) {
  const q = db
    .select()
    .from(exams)
    .where(and(eq(exams.id, id), isNull(exams.deletedAt)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row;
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

/** Recomputes the denormalised question count and total points from the questions. */
export async function refreshQuestionTotals(db: Db | Tx, examId: string) {
  await db
    .update(exams)
    .set({
      questionCount: sql`(select count(*) from ${questions} where ${questions.examId} = ${examId} and ${questions.isActive})`,
      totalPoints: sql`(select coalesce(sum(${questions.points}), 0) from ${questions} where ${questions.examId} = ${examId} and ${questions.isActive})`,
    })
    .where(eq(exams.id, examId));
}
