import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, questions, type NewQuestion } from '../../db/schema/index.ts';

// (exam_id, position) is unique and checked row by row, so any renumbering first parks the
// rows above every real position, then writes the final ones.
const PARK_OFFSET = 100000;

/** The exam's questions in position order. */
export async function listQuestions(db: Db | Tx, examId: string) {
  return db.select().from(questions).where(eq(questions.examId, examId)).orderBy(asc(questions.position));
}

export async function findQuestion(db: Db | Tx, examId: string, questionId: string) {
  const [row] = await db
    .select()
    .from(questions)
    .where(and(eq(questions.examId, examId), eq(questions.id, questionId)));
  return row;
}

export async function countQuestions(db: Db | Tx, examId: string) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(questions)
    .where(eq(questions.examId, examId));
  return row?.n ?? 0;
}

/** The position after the last question. */
export async function nextPosition(db: Db | Tx, examId: string) {
  const [row] = await db
    .select({ next: sql<number>`(coalesce(max(${questions.position}), -1) + 1)::int` })
    .from(questions)
    .where(eq(questions.examId, examId));
  return row?.next ?? 0;
}

export async function insertQuestions(db: Db | Tx, rows: NewQuestion[]) {
  if (!rows.length) return [];
  return db.insert(questions).values(rows).returning();
}

export async function updateQuestion(db: Db | Tx, questionId: string, values: Partial<NewQuestion>) {
  const [row] = await db
    .update(questions)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(questions.id, questionId))
    .returning();
  return row!;
}

export async function deleteQuestion(db: Db | Tx, questionId: string) {
  await db.delete(questions).where(eq(questions.id, questionId));
}

export async function deleteAllQuestions(db: Db | Tx, examId: string) {
  await db.delete(questions).where(eq(questions.examId, examId));
}

/**
 * Positions become 0..n-1: in the given id order (which must be exactly the exam's
 * questions), or else in the current position order (closing gaps). Run inside a
 * transaction that holds the exam row lock.
 */
export async function renumber(tx: Tx, examId: string, orderedIds?: readonly string[]) {
  await tx
    .update(questions)
    .set({ position: sql`${questions.position} + ${PARK_OFFSET}` })
    .where(eq(questions.examId, examId));
  const order = orderedIds
    ? sql`select o.id, (o.n - 1)::int as pos from unnest(${sql.param([...orderedIds])}::uuid[]) with ordinality as o(id, n)`
    : sql`select q.id, (row_number() over (order by q.position) - 1)::int as pos from ${questions} q where q.exam_id = ${examId}`;
  await tx.execute(sql`
    update ${questions} set position = target.pos
    from (${order}) as target
    where ${questions.id} = target.id and ${questions.examId} = ${examId}`);
}

/** Whether anyone has started (or been given) an attempt at the exam: its answers depend on the questions. */
export async function examHasAttempts(db: Db | Tx, examId: string) {
  const [row] = await db.select({ id: attempts.id }).from(attempts).where(eq(attempts.examId, examId)).limit(1);
  return Boolean(row);
}
