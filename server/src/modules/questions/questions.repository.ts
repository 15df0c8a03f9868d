import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, questions, type NewQuestion } from '../../db/schema/index.ts';

// (exam_id, position) is unique and checked row by row, so any renumbering first parks the
// rows above every real position, then writes the final ones.
const PARK_OFFSET = 100000;

/** Where questions live: an exam (authored there) or a course's question bank. A bare string is an exam id. */
export type QuestionOwner = { examId: string } | { bankId: string };
type OwnerRef = string | QuestionOwner;

export function ownedBy(owner: OwnerRef): SQL {
  if (typeof owner === 'string') return eq(questions.examId, owner);
  return 'examId' in owner ? eq(questions.examId, owner.examId) : eq(questions.bankId, owner.bankId);
}

/** The owner's (exam's or bank's) questions in position order. */
export async function listQuestions(db: Db | Tx, owner: OwnerRef) {
  return db.select().from(questions).where(ownedBy(owner)).orderBy(asc(questions.position));
}

/** The questions an attempt can hold: the exam's own, and those of `ids` (the bank questions it drew). */
export async function questionsOfAttempt(db: Db | Tx, examId: string, ids: readonly string[]) {
  return db
    .select()
    .from(questions)
    .where(
      ids.length ? or(eq(questions.examId, examId), inArray(questions.id, [...ids])) : eq(questions.examId, examId),
    );
}

export async function findQuestion(db: Db | Tx, owner: OwnerRef, questionId: string) {
  const [row] = await db
    .select()
    .from(questions)
    .where(and(ownedBy(owner), eq(questions.id, questionId)));
  return row;
}

export async function countQuestions(db: Db | Tx, owner: OwnerRef) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(questions)
    .where(ownedBy(owner));
  return row?.n ?? 0;
}

/** The position after the last question. */
export async function nextPosition(db: Db | Tx, owner: OwnerRef) {
  const [row] = await db
    .select({ next: sql<number>`(coalesce(max(${questions.position}), -1) + 1)::int` })
    .from(questions)
    .where(ownedBy(owner));
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

export async function deleteAllQuestions(db: Db | Tx, owner: OwnerRef) {
  await db.delete(questions).where(ownedBy(owner));
}

/**
 * Positions become 0..n-1: in the given id order (which must be exactly the owner's
 * questions), or else in the current position order (closing gaps). Run inside a
 * transaction that holds the owner's (exam's or bank's) row lock.
 */
export async function renumber(tx: Tx, owner: OwnerRef, orderedIds?: readonly string[]) {
  await tx
    .update(questions)
    .set({ position: sql`${questions.position} + ${PARK_OFFSET}` })
    .where(ownedBy(owner));
  const order = orderedIds
    ? sql`select o.id, (o.n - 1)::int as pos from unnest(${sql.param([...orderedIds])}::uuid[]) with ordinality as o(id, n)`
    : sql`select ${questions.id} as id, (row_number() over (order by ${questions.position}) - 1)::int as pos from ${questions} where ${ownedBy(owner)}`;
  await tx.execute(sql`
    update ${questions} set position = target.pos
    from (${order}) as target
    where ${questions.id} = target.id and ${ownedBy(owner)}`);
}

/** Whether anyone has started (or been given) an attempt at the exam: its answers depend on the questions. */
export async function examHasAttempts(db: Db | Tx, examId: string) {
  const [row] = await db.select({ id: attempts.id }).from(attempts).where(eq(attempts.examId, examId)).limit(1);
  return Boolean(row);
}
