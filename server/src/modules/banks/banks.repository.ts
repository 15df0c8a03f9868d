import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { courses, examSections, questionBanks, questions, type QuestionBank } from '../../db/schema/index.ts';

const bankColumns = {
  bank: questionBanks,
  courseName: courses.name,
  courseTeacherId: courses.teacherId,
  questionCount: sql<number>`(select count(*) from ${questions} q where q.bank_id = "question_banks"."id" and q.is_active)::int`,
  tags: sql<
    string[]
  >`(select coalesce(array_agg(distinct t order by t), '{}') from ${questions} q, unnest(q.tags) t where q.bank_id = "question_banks"."id" and q.is_active)`,
};

export type BankRow = {
  bank: QuestionBank;
  courseName: string;
  courseTeacherId: string;
  questionCount: number;
  tags: string[];
};

/** A bank that is not deleted, with its course's name and teacher (for the access rule). */
export async function findBank(db: Db | Tx, bankId: string, opts: { forUpdate?: boolean } = {}) {
  const q = db
    .select(bankColumns)
    .from(questionBanks)
    .innerJoin(courses, eq(courses.id, questionBanks.courseId))
    .where(and(eq(questionBanks.id, bankId), isNull(questionBanks.deletedAt)));
  const [row] = opts.forUpdate ? await q.for('update', { of: questionBanks }) : await q;
  return row as BankRow | undefined;
}

export async function listBanks(db: Db | Tx, courseId: string) {
  return (await db
    .select(bankColumns)
    .from(questionBanks)
    .innerJoin(courses, eq(courses.id, questionBanks.courseId))
    .where(and(eq(questionBanks.courseId, courseId), isNull(questionBanks.deletedAt)))
    .orderBy(asc(questionBanks.name), asc(questionBanks.createdAt))) as BankRow[];
}

export async function insertBank(db: Db | Tx, values: typeof questionBanks.$inferInsert) {
  const [row] = await db.insert(questionBanks).values(values).returning({ id: questionBanks.id });
  return row!.id;
}

export async function updateBank(db: Db | Tx, bankId: string, values: Partial<typeof questionBanks.$inferInsert>) {
  await db
    .update(questionBanks)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(questionBanks.id, bankId));
}

/** Exams (not deleted) with a section taking from the bank: what deleting it would break. */
export async function examsUsingBank(db: Db | Tx, bankId: string) {
  const rows = await db.execute<{ id: string; title: string }>(sql`
    select distinct e.id, e.title from ${examSections} s join exams e on e.id = s.exam_id
    where s.bank_id = ${bankId} and e.deleted_at is null order by e.title`);
  return rows.rows;
}

/** How many attempts drew the question (it is then what their answers are graded against). */
export async function attemptsHolding(db: Db | Tx, questionId: string) {
  const rows = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from attempts where drawn_questions ? ${questionId}`,
  );
  return rows.rows[0]?.n ?? 0;
}
