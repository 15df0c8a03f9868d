import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { examSections, exams, questionBanks, questions, type ExamSection } from '../../db/schema/index.ts';

// (exam_id, position) is unique and checked row by row: renumbering parks the rows first.
const PARK_OFFSET = 100000;

/** The bank questions a random section may draw from (active, matching its tag and difficulty). */
export function poolFilter(s: Pick<ExamSection, 'bankId' | 'tag' | 'difficulty'>) {
  return and(
    eq(questions.bankId, s.bankId),
    eq(questions.isActive, true),
    s.tag ? sql`${s.tag} = any(${questions.tags})` : undefined,
    s.difficulty ? eq(questions.difficulty, s.difficulty) : undefined,
  );
}

export type SectionRow = ExamSection & { bankName: string; available: number };

/** How many bank questions a section can take from now (random: its pool; fixed: its ids still in the bank). */
const availableSql = sql<number>`(case when "exam_sections"."kind" = 'fixed'
  then (select count(*) from ${questions} q where q.bank_id = "exam_sections"."bank_id" and q.is_active and q.id = any("exam_sections"."question_ids"))
  else (select count(*) from ${questions} q where q.bank_id = "exam_sections"."bank_id" and q.is_active
        and ("exam_sections"."tag" is null or "exam_sections"."tag" = any(q.tags))
        and ("exam_sections"."difficulty" is null or q.difficulty = "exam_sections"."difficulty"))
  end)::int`;

export async function listSections(db: Db | Tx, examId: string): Promise<SectionRow[]> {
  const rows = await db
    .select({ section: examSections, bankName: questionBanks.name, available: availableSql })
    .from(examSections)
    .innerJoin(questionBanks, eq(questionBanks.id, examSections.bankId))
    .where(eq(examSections.examId, examId))
    .orderBy(asc(examSections.position));
  return rows.map((r) => ({ ...r.section, bankName: r.bankName, available: r.available }));
}

export async function findSection(db: Db | Tx, examId: string, sectionId: string) {
  return (await listSections(db, examId)).find((s) => s.id === sectionId);
}

export async function insertSection(db: Db | Tx, values: typeof examSections.$inferInsert) {
  const [row] = await db.insert(examSections).values(values).returning({ id: examSections.id });
  return row!.id;
}

export async function updateSection(db: Db | Tx, sectionId: string, values: Partial<typeof examSections.$inferInsert>) {
  await db
    .update(examSections)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(examSections.id, sectionId));
}

export async function deleteSection(db: Db | Tx, sectionId: string) {
  await db.delete(examSections).where(eq(examSections.id, sectionId));
}

export async function nextSectionPosition(db: Db | Tx, examId: string) {
  const [row] = await db
    .select({ next: sql<number>`(coalesce(max(${examSections.position}), -1) + 1)::int` })
    .from(examSections)
    .where(eq(examSections.examId, examId));
  return row?.next ?? 0;
}

/** Positions become 0..n-1, in the given order or else closing gaps; inside the exam lock. */
export async function renumberSections(tx: Tx, examId: string, orderedIds?: readonly string[]) {
  await tx
    .update(examSections)
    .set({ position: sql`${examSections.position} + ${PARK_OFFSET}` })
    .where(eq(examSections.examId, examId));
  const order = orderedIds
    ? sql`select o.id, (o.n - 1)::int as pos from unnest(${sql.param([...orderedIds])}::uuid[]) with ordinality as o(id, n)`
    : sql`select s.id, (row_number() over (order by s.position) - 1)::int as pos from exam_sections s where s.exam_id = ${examId}`;
  await tx.execute(sql`
    update exam_sections set position = target.pos
    from (${order}) as target
    where exam_sections.id = target.id and exam_sections.exam_id = ${examId}`);
}

/** Active bank questions matching a random section's filter. */
export async function countPool(db: Db | Tx, s: Pick<ExamSection, 'bankId' | 'tag' | 'difficulty'>) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(questions)
    .where(poolFilter(s));
  return row?.n ?? 0;
}

/** The bank's active questions among `ids`. */
export async function bankQuestionIds(db: Db | Tx, bankId: string, ids: readonly string[]) {
  if (!ids.length) return new Set<string>();
  const rows = await db
    .select({ id: questions.id })
    .from(questions)
    .where(and(eq(questions.bankId, bankId), eq(questions.isActive, true), inArray(questions.id, [...ids])));
  return new Set(rows.map((r) => r.id));
}

/** Sections (of exams not deleted) taking from the bank, with what they need and what the bank has. */
export async function sectionsOfBank(db: Db | Tx, bankId: string) {
  const rows = await db
    .select({ section: examSections, examTitle: exams.title, available: availableSql })
    .from(examSections)
    .innerJoin(exams, eq(exams.id, examSections.examId))
    .where(and(eq(examSections.bankId, bankId), sql`${exams.deletedAt} is null`));
  return rows.map((r) => ({ ...r.section, examTitle: r.examTitle, available: r.available }));
}

/**
 * The exam's denormalised question count and total points: its own active questions plus
 * what each attempt gets from its sections. A random section without its own points counts
 * the mean points of its pool, so for mixed pools the total is what an attempt gets on average.
 */
export async function refreshExamTotals(db: Db | Tx, examId: string) {
  await db.execute(sql`
    update exams set
      question_count = own.n + coalesce(sec.n, 0),
      total_points = round(own.p + coalesce(sec.p, 0), 2)
    from
      (select count(*)::int as n, coalesce(sum(q.points), 0) as p
         from ${questions} q where q.exam_id = ${examId} and q.is_active) own,
      (select sum(case when s.kind = 'fixed' then cardinality(s.question_ids) else s.draw_count end)::int as n,
              sum(case when s.kind = 'fixed'
                then coalesce(s.points_each * cardinality(s.question_ids),
                       (select coalesce(sum(q.points), 0) from ${questions} q where q.id = any(s.question_ids)))
                else s.draw_count * coalesce(s.points_each,
                       (select avg(q.points) from ${questions} q where q.bank_id = s.bank_id and q.is_active
                          and (s.tag is null or s.tag = any(q.tags))
                          and (s.difficulty is null or q.difficulty = s.difficulty)), 0)
                end) as p
         from exam_sections s where s.exam_id = ${examId}) sec
    where exams.id = ${examId}`);
}
