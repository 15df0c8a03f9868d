// Demo exam with one question of each newer type (short answer, numeric with units, essay,
// matching, ordering, fill in the blanks), prompts in rich text with KaTeX math, in the demo
// course; the demo student is invited. Made through the services as the demo teacher would
// (so the texts go through the sanitiser); loading it again changes nothing.
import { and, eq, isNull } from 'drizzle-orm';
import { examCreateSchema, questionInputSchema } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { exams } from '../db/schema/index.ts';
import { demoServices } from './demo-services.ts';
import { demoCourse, inviteDemoStudents } from './demo-exams.seed.ts';

export const DEMO_TYPES_EXAM_TITLE = 'Chemistry: every question type';

const items = (...texts: string[]) => texts.map((text, i) => ({ id: 'abcdefgh'[i]!, text }));

export const DEMO_TYPE_QUESTIONS: Record<string, unknown>[] = [
  {
    type: 'short_answer',
    prompt: '<p>What is the common name of <strong>NaCl</strong>?</p>',
    answerKey: { accepted: ['table salt', 'salt', 'sodium chloride'], whitespace: 'collapse' },
    explanation: '<p>Sodium chloride is table salt.</p>',
  },
  {
    type: 'numeric',
    prompt: '<p>A sample of water has a mass of $m = 250\\,\\text{g}$. What is its mass in kilograms or grams?</p>',
    points: 2,
    content: {
      units: [
        { unit: 'kg', multiplier: 1 },
        { unit: 'g', multiplier: 1000 },
      ],
      unitRequired: true,
    },
    answerKey: { answers: [{ value: 0.25, tolerance: 0.001 }] },
  },
  {
    type: 'matching',
    prompt: '<p>Match each element to its symbol.</p>',
    points: 3,
    content: {
      stems: [
        { id: 'fe', text: 'Iron' },
        { id: 'k', text: 'Potassium' },
        { id: 'w', text: 'Tungsten' },
      ],
      choices: [
        { id: 'Fe', text: 'Fe' },
        { id: 'K', text: 'K' },
        { id: 'W', text: 'W' },
        { id: 'Ir', text: 'Ir' },
      ],
    },
    answerKey: {
      pairs: [
        { stemId: 'fe', choiceId: 'Fe' },
        { stemId: 'k', choiceId: 'K' },
        { stemId: 'w', choiceId: 'W' },
      ],
    },
  },
  {
    type: 'ordering',
    prompt: '<p>Order these by atomic number, smallest first.</p>',
    points: 2,
    content: { items: items('Hydrogen', 'Carbon', 'Oxygen', 'Iron') },
    answerKey: { order: ['a', 'b', 'c', 'd'] },
  },
  {
    type: 'fill_blanks',
    prompt: '<p>Water is H<sub>2</sub>O: two atoms of [[h]] and one of [[o]]; it boils at [[bp]] °C at sea level.</p>',
    points: 3,
    content: {
      gaps: [{ id: 'h' }, { id: 'o', options: items('oxygen', 'nitrogen', 'carbon') }, { id: 'bp' }],
    },
    answerKey: {
      gaps: [
        { gapId: 'h', accepted: ['hydrogen'] },
        { gapId: 'o', accepted: ['a'] },
        { gapId: 'bp', accepted: ['100'] },
      ],
    },
  },
  {
    type: 'essay',
    prompt: '<p>Explain, in your own words, why $\\Delta H < 0$ for combustion reactions.</p>',
    points: 5,
    content: { wordLimit: 200 },
    answerKey: {
      rubric: [
        { id: 'bonds', criterion: 'Bonds formed release more energy than bonds broken', points: 3 },
        { id: 'example', criterion: 'Gives a correct example', points: 2 },
      ],
      guidance: 'Accept any correct example (methane, wood, petrol).',
    },
  },
];

export async function seedDemoTypes(db: Db, secret: string, teacherEmail: string, studentEmail?: string) {
  const { caller, course } = await demoCourse(db, secret, teacherEmail);
  const services = demoServices(db, secret);
  let exam = await db.query.exams.findFirst({
    where: and(eq(exams.courseId, course.id), eq(exams.title, DEMO_TYPES_EXAM_TITLE), isNull(exams.deletedAt)),
  });
  if (!exam) {
    const created = await services.exams.create(
      caller,
      examCreateSchema.parse({
        title: DEMO_TYPES_EXAM_TITLE,
        courseId: course.id,
        description:
          'One question of each kind: typed answers, numbers with units, matching, ordering, gaps, an essay.',
        durationMinutes: 30,
        availableAnytime: true,
        shuffleOptions: true,
        allowReview: true,
        resultsPolicy: 'immediately',
        partialCreditRule: 'proportional',
        partialCreditPenalty: 0,
      }),
    );
    exam = (await db.query.exams.findFirst({ where: eq(exams.id, created.id) }))!;
  }
  if (exam.status === 'draft') {
    // Also finishes an exam a previous start left half made.
    const have = (await services.questions.list(caller.actor, exam.id)).length;
    for (const q of DEMO_TYPE_QUESTIONS.slice(have)) {
      await services.questions.create(caller, exam.id, questionInputSchema.parse(q));
    }
    await services.exams.publish(caller, exam.id);
  }
  if (studentEmail) await inviteDemoStudents(db, secret, caller, exam.id, [{ email: studentEmail }]);
  return { examId: exam.id };
}
