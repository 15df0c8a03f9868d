// Demo question bank: a pool of chemistry questions in the demo course (tags and
// difficulty), and a published exam that draws from it: a fixed section of two bank
// questions and a random section of four drawn per attempt from the 'elements' tag. The
// demo student is invited, so "My exams" offers it. All through the services as the demo
// teacher would; loading it again changes nothing.
import { and, eq, isNull } from 'drizzle-orm';
import { bankInputSchema, questionInputSchema, sectionInputSchema } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { questionBanks } from '../db/schema/index.ts';
import { createBankService } from '../modules/banks/banks.service.ts';
import { createSectionService } from '../modules/banks/sections.service.ts';
import { demoCourse, ensureDemoExam, inviteDemoStudents } from './demo-exams.seed.ts';

export const DEMO_BANK_NAME = 'Chemistry question pool (demo)';
export const DEMO_BANK_EXAM_TITLE = 'Chemistry: questions drawn from the bank';

const opts = (...texts: string[]) => ({ options: texts.map((text, i) => ({ id: 'abcdefgh'[i]!, text })) });
const element = (prompt: string, options: string[], correct: string, difficulty: string) => ({
  type: 'single_choice',
  prompt,
  content: opts(...options),
  answerKey: { correct },
  difficulty,
  tags: ['elements'],
});

const BANK_QUESTIONS: Record<string, unknown>[] = [
  element('What is the chemical symbol for iron?', ['Ir', 'Fe', 'In', 'I'], 'b', 'easy'),
  element('What is the chemical symbol for potassium?', ['P', 'Po', 'K', 'Pt'], 'c', 'easy'),
  element('Which element has atomic number 1?', ['Helium', 'Hydrogen', 'Lithium', 'Oxygen'], 'b', 'easy'),
  element('Which element is a halogen?', ['Neon', 'Sodium', 'Chlorine', 'Calcium'], 'c', 'medium'),
  element('Which element is liquid at room temperature?', ['Mercury', 'Lead', 'Tin', 'Zinc'], 'a', 'medium'),
  element('Which of these is an alkali metal?', ['Magnesium', 'Aluminium', 'Caesium', 'Argon'], 'c', 'medium'),
  element('What is the chemical symbol for tungsten?', ['Tu', 'Tn', 'W', 'Ts'], 'c', 'hard'),
  element(
    'Which element has the highest electronegativity?',
    ['Oxygen', 'Fluorine', 'Chlorine', 'Nitrogen'],
    'b',
    'hard',
  ),
  {
    type: 'true_false',
    prompt: 'Burning is an oxidation reaction.',
    answerKey: { correct: true },
    difficulty: 'easy',
    tags: ['reactions'],
  },
  {
    type: 'numeric',
    prompt: 'How many grams of water form from 2 g of hydrogen burning completely? (to the nearest gram)',
    answerKey: { answers: [{ value: 18, tolerance: 0.5 }] },
    points: 2,
    difficulty: 'hard',
    tags: ['reactions'],
  },
  {
    type: 'short_answer',
    prompt: 'What is the common name of the compound NaCl?',
    answerKey: { accepted: ['table salt', 'salt', 'sodium chloride'] },
    difficulty: 'medium',
    tags: ['reactions'],
  },
];

export async function seedDemoBanks(db: Db, secret: string, teacherEmail: string, studentEmail?: string) {
  const { caller, course } = await demoCourse(db, secret, teacherEmail);
  const banks = createBankService({ db, secret });
  const sections = createSectionService({ db, secret });
  const found = await db.query.questionBanks.findFirst({
    where: and(
      eq(questionBanks.courseId, course.id),
      eq(questionBanks.name, DEMO_BANK_NAME),
      isNull(questionBanks.deletedAt),
    ),
  });
  const bankId =
    found?.id ??
    (
      await banks.create(
        caller,
        course.id,
        bankInputSchema.parse({ name: DEMO_BANK_NAME, description: 'Elements and reactions, for drawn exams.' }),
      )
    ).id;
  const have = new Set((await banks.questions(caller.actor, bankId)).map((q) => q.prompt));
  const missing = BANK_QUESTIONS.filter((q) => !have.has(q.prompt as string));
  if (missing.length) {
    await banks.addQuestions(
      caller,
      bankId,
      missing.map((q) => questionInputSchema.parse(q)),
    );
  }
  const exam = await ensureDemoExam(db, secret, { caller, courseId: course.id }, DEMO_BANK_EXAM_TITLE, {
    description: 'Twelve questions of its own, then two fixed and four drawn at random from the question bank.',
  });
  if (!(await sections.list(caller.actor, exam.id)).length) {
    const bank = await banks.questions(caller.actor, bankId);
    const fixed = bank.filter((q) => q.tags.includes('reactions')).slice(0, 2);
    await sections.create(
      caller,
      exam.id,
      sectionInputSchema.parse({ kind: 'fixed', title: 'Reactions', bankId, questionIds: fixed.map((q) => q.id) }),
    );
    await sections.create(
      caller,
      exam.id,
      sectionInputSchema.parse({ kind: 'random', title: 'Elements', bankId, drawCount: 4, tag: 'elements' }),
    );
  }
  if (studentEmail) await inviteDemoStudents(db, secret, caller, exam.id, [{ email: studentEmail }]);
  return { bankId, examId: exam.id };
}
