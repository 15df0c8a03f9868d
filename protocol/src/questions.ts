// Questions: one schema set per question type (content shown to students, answer key,
// student response), shared by the server's question-type registry and the web app.
// A new type adds its schemas here and one file in server/src/modules/questions/types/.
import { z } from 'zod';
import { line, text } from './common.ts';

export const questionTypeNames = ['single_choice', 'multiple_choice', 'true_false'] as const;
export type QuestionTypeName = (typeof questionTypeNames)[number];
export const difficulties = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof difficulties)[number];

export const MAX_OPTIONS = 20;
/** Also the most questions one exam may hold, so any exam fits one export document. */
export const MAX_QUESTIONS_PER_DOCUMENT = 500;
export const QUESTIONS_EXPORT_FORMAT = 'exam-hall.questions';

/** A problem found by a rule that looks at several fields at once; path is relative to the question. */
export interface QuestionProblem {
  path: (string | number)[];
  message: string;
}

// ---------------------------------------------------------------- choice content

export const optionIdSchema = z
  .string({ error: 'Option id must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,21}$/, 'Option id must be 1-21 letters, digits, _ or -');

export const optionSchema = z.object({
  id: optionIdSchema,
  text: text({ error: 'Option text must be a string' })
    .trim()
    .min(1, 'Option text is required')
    .max(1000, 'Option text must be at most 1000 characters'),
});
export type QuestionOption = z.infer<typeof optionSchema>;

/** Options with unique ids: single and multiple choice share this content. */
export const choiceContentSchema = z
  .object({
    options: z
      .array(optionSchema, { error: 'Options must be a list' })
      .min(2, 'Give at least 2 options')
      .max(MAX_OPTIONS, `Give at most ${MAX_OPTIONS} options`),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.options.forEach((o, i) => {
      if (seen.has(o.id)) {
        ctx.addIssue({ code: 'custom', path: ['options', i, 'id'], message: `Option id '${o.id}' is used twice` });
      }
      seen.add(o.id);
    });
  });
export type ChoiceContent = z.infer<typeof choiceContentSchema>;

/** Every correct id must name an option of the question. Paths are relative to the question. */
export function choiceKeyProblems(
  content: ChoiceContent,
  correct: readonly string[],
  many: boolean,
): QuestionProblem[] {
  const ids = new Set(content.options.map((o) => o.id));
  return correct.flatMap((id, i) =>
    ids.has(id)
      ? []
      : [
          {
            path: many ? ['answerKey', 'correct', i] : ['answerKey', 'correct'],
            message: `Correct answer '${id}' is not one of the options`,
          },
        ],
  );
}

// ---------------------------------------------------------------- per-type schemas

export const singleChoiceKeySchema = z.object({
  correct: z
    .string({ error: 'Single choice has exactly one correct option: send its id as a string' })
    .pipe(optionIdSchema),
});
export const singleChoiceResponseSchema = z.object({ optionId: optionIdSchema });

export const multipleChoiceKeySchema = z.object({
  correct: z
    .array(optionIdSchema, { error: 'Correct options must be a list of option ids' })
    .min(1, 'Mark at least one option as correct')
    .max(MAX_OPTIONS, `At most ${MAX_OPTIONS} correct options`)
    .refine((ids) => new Set(ids).size === ids.length, 'Each correct option may be listed only once'),
});
export const multipleChoiceResponseSchema = z.object({
  optionIds: z
    .array(optionIdSchema)
    .max(MAX_OPTIONS)
    .refine((ids) => new Set(ids).size === ids.length, 'Each option may be chosen only once'),
});

// Options are implicit: 'true' and 'false'.
export const trueFalseContentSchema = z.object({});
export const trueFalseKeySchema = z.object({ correct: z.boolean({ error: 'Correct answer must be true or false' }) });
export const trueFalseResponseSchema = z.object({ value: z.boolean({ error: 'Answer must be true or false' }) });

export type SingleChoiceKey = z.infer<typeof singleChoiceKeySchema>;
export type MultipleChoiceKey = z.infer<typeof multipleChoiceKeySchema>;
export type TrueFalseKey = z.infer<typeof trueFalseKeySchema>;
export type SingleChoiceResponse = z.infer<typeof singleChoiceResponseSchema>;
export type MultipleChoiceResponse = z.infer<typeof multipleChoiceResponseSchema>;
export type TrueFalseResponse = z.infer<typeof trueFalseResponseSchema>;

// ---------------------------------------------------------------- a question as a teacher writes it

const pointsSchema = z
  .number({ error: 'Points must be a number' })
  .gt(0, 'Points must be more than 0')
  .max(1000, 'Points must be at most 1000')
  // Stored as numeric(8,2); reject what would be rounded silently (with float slack: 0.29 * 100).
  .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'Points may have at most 2 decimal places');

const tagsSchema = z
  .array(
    line({ error: 'Tags must be strings' })
      .trim()
      .min(1, 'A tag cannot be empty')
      .max(50, 'Each tag must be at most 50 characters'),
    { error: 'Tags must be a list of strings' },
  )
  .max(20, 'At most 20 tags')
  .refine((t) => new Set(t).size === t.length, 'Each tag may be listed only once');

/** Fields every question type has. */
const commonFields = {
  prompt: text({ error: 'Prompt must be a string' })
    .trim()
    .min(1, 'Prompt is required')
    .max(5000, 'Prompt must be at most 5000 characters'),
  points: pointsSchema.default(1),
  explanation: text({ error: 'Explanation must be a string' })
    .trim()
    .max(5000, 'Explanation must be at most 5000 characters')
    .nullish(),
  difficulty: z.enum(difficulties, { error: 'Difficulty must be easy, medium or hard' }).nullish(),
  tags: tagsSchema.default([]),
};

const singleChoiceInput = z
  .object({
    type: z.literal('single_choice'),
    ...commonFields,
    content: choiceContentSchema,
    answerKey: singleChoiceKeySchema,
  })
  .superRefine((q, ctx) => {
    for (const p of choiceKeyProblems(q.content, [q.answerKey.correct], false)) ctx.addIssue({ code: 'custom', ...p });
  });

const multipleChoiceInput = z
  .object({
    type: z.literal('multiple_choice'),
    ...commonFields,
    content: choiceContentSchema,
    answerKey: multipleChoiceKeySchema,
  })
  .superRefine((q, ctx) => {
    for (const p of choiceKeyProblems(q.content, q.answerKey.correct, true)) ctx.addIssue({ code: 'custom', ...p });
  });

const trueFalseInput = z.object({
  type: z.literal('true_false'),
  ...commonFields,
  content: trueFalseContentSchema.default({}),
  answerKey: trueFalseKeySchema,
});

const typeError = { error: `type must be one of: ${questionTypeNames.join(', ')}` };

/** Create, replace (PUT) and import body of one question: every field, checked per type. */
export const questionInputSchema = z.discriminatedUnion(
  'type',
  [singleChoiceInput, multipleChoiceInput, trueFalseInput],
  typeError,
);
export type QuestionInput = z.infer<typeof questionInputSchema>;
export const questionCreateSchema = questionInputSchema;
/** PUT replaces the whole question (its type may change); its position stays. */
export const questionUpdateSchema = questionInputSchema;

// ---------------------------------------------------------------- what the API answers

const storedFields = {
  id: z.uuid(),
  examId: z.uuid(),
  prompt: z.string(),
  points: z.number(),
  explanation: z.string().nullable(),
  difficulty: z.enum(difficulties).nullable(),
  tags: z.array(z.string()),
  position: z.number().int(),
};
const optionsOut = z.object({ options: z.array(z.object({ id: z.string(), text: z.string() })) });

/** A question as its teacher sees it, answer key and explanation included. */
export const questionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('single_choice'),
    ...storedFields,
    content: optionsOut,
    answerKey: z.object({ correct: z.string() }),
  }),
  z.object({
    type: z.literal('multiple_choice'),
    ...storedFields,
    content: optionsOut,
    answerKey: z.object({ correct: z.array(z.string()) }),
  }),
  z.object({
    type: z.literal('true_false'),
    ...storedFields,
    content: z.object({}),
    answerKey: z.object({ correct: z.boolean() }),
  }),
]);
export type Question = z.infer<typeof questionSchema>;

/** What a student sees: no answer key, no explanation; options in the attempt's order. */
export const studentQuestionSchema = z.discriminatedUnion('type', [
  z.object({
    id: z.uuid(),
    type: z.literal('single_choice'),
    prompt: z.string(),
    points: z.number(),
    content: optionsOut,
  }),
  z.object({
    id: z.uuid(),
    type: z.literal('multiple_choice'),
    prompt: z.string(),
    points: z.number(),
    content: optionsOut,
  }),
  z.object({
    id: z.uuid(),
    type: z.literal('true_false'),
    prompt: z.string(),
    points: z.number(),
    content: z.object({}),
  }),
]);
export type StudentQuestion = z.infer<typeof studentQuestionSchema>;

/** A student's answer to one question, by type. */
export const questionResponseSchemas = {
  single_choice: singleChoiceResponseSchema,
  multiple_choice: multipleChoiceResponseSchema,
  true_false: trueFalseResponseSchema,
} as const;

// ---------------------------------------------------------------- routes' other bodies

export const questionParamsSchema = z.object({
  examId: z.uuid('examId must be a UUID'),
  questionId: z.uuid('questionId must be a UUID'),
});

export const questionReorderSchema = z.object({
  questionIds: z
    .array(z.uuid('Each question id must be a UUID'), { error: 'questionIds must be a list of question ids' })
    .max(MAX_QUESTIONS_PER_DOCUMENT, `At most ${MAX_QUESTIONS_PER_DOCUMENT} questions`),
});
export type QuestionReorder = z.infer<typeof questionReorderSchema>;

/** Export/import document: questions without ids, exam or position (their order is the position). */
export const questionsDocumentSchema = z.object({
  format: z.literal(QUESTIONS_EXPORT_FORMAT, { error: `format must be '${QUESTIONS_EXPORT_FORMAT}'` }),
  version: z.literal(1, { error: 'version must be 1' }),
  exportedAt: z.iso.datetime().optional(),
  questions: z
    .array(questionInputSchema, { error: 'questions must be a list' })
    .max(MAX_QUESTIONS_PER_DOCUMENT, `At most ${MAX_QUESTIONS_PER_DOCUMENT} questions per document`),
});
export type QuestionsDocument = z.infer<typeof questionsDocumentSchema>;

export const questionImportSchema = z.object({
  document: questionsDocumentSchema,
  /** append: after the existing questions; replace: the document becomes the exam's questions. */
  mode: z.enum(['append', 'replace'], { error: "mode must be 'append' or 'replace'" }).default('append'),
});
export type QuestionImport = z.infer<typeof questionImportSchema>;
