// Questions: one schema set per question type (content shown to students, answer key,
// student response), shared by the server's question-type registry and the web app.
// A new type adds its schemas here and one file in server/src/modules/questions/types/.
import { z } from 'zod';
import { line, text } from './common.ts';
import {
  choiceContentSchema,
  choiceKeyProblems,
  multipleChoiceKeySchema,
  multipleChoiceResponseSchema,
  singleChoiceKeySchema,
  singleChoiceResponseSchema,
  trueFalseContentSchema,
  trueFalseKeySchema,
  trueFalseResponseSchema,
  type QuestionProblem,
  essayContentSchema,
  fillBlanksKeyProblems,
  matchingKeyProblems,
  orderingKeyProblems,
  essayKeySchema,
  essayResponseSchema,
  fillBlanksContentSchema,
  fillBlanksKeySchema,
  fillBlanksResponseSchema,
  matchingContentSchema,
  matchingKeySchema,
  matchingResponseSchema,
  numericContentSchema,
  numericKeySchema,
  numericResponseSchema,
  orderingContentSchema,
  orderingKeySchema,
  orderingResponseSchema,
  shortAnswerContentSchema,
  shortAnswerKeySchema,
  shortAnswerResponseSchema,
} from './question-kinds/index.ts';

export * from './question-kinds/index.ts';

export const questionTypeNames = [
  'single_choice',
  'multiple_choice',
  'true_false',
  'short_answer',
  'numeric',
  'essay',
  'matching',
  'ordering',
  'fill_blanks',
] as const;
export type QuestionTypeName = (typeof questionTypeNames)[number];
export const difficulties = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof difficulties)[number];

/** Also the most questions one exam may hold, so any exam fits one export document. */
export const MAX_QUESTIONS_PER_DOCUMENT = 500;
export const QUESTIONS_EXPORT_FORMAT = 'exam-hall.questions';

// ---------------------------------------------------------------- a question as a teacher writes it

export const pointsSchema = z
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

/**
 * Prompts and explanations are sanitised HTML and may carry inline images (data: URLs, each at
 * most ~300 KB, checked by the server's sanitiser): those do not count towards the 5000
 * characters; together they may add up to this many.
 */
export const MAX_INLINE_IMAGE_CHARS = 620_000;
const DATA_IMAGE_URL = /data:image\/[a-z]+;base64,[A-Za-z0-9+/=]*/g;
/** Length of a rich text without its inline images. */
export const visibleLength = (s: string) => s.replace(DATA_IMAGE_URL, '').length;
const richText = (what: string) =>
  text({ error: `${what} must be a string` })
    .trim()
    .max(
      5000 + MAX_INLINE_IMAGE_CHARS,
      `${what} is too long: inline images may add at most ${MAX_INLINE_IMAGE_CHARS} characters`,
    )
    .refine((s) => visibleLength(s) <= 5000, `${what} must be at most 5000 characters`);

/** Fields every question type has. */
const commonFields = {
  prompt: richText('Prompt').refine((s) => s.length > 0, 'Prompt is required'),
  points: pointsSchema.default(1),
  explanation: richText('Explanation').nullish(),
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

const issues = (ctx: z.RefinementCtx, problems: QuestionProblem[]) => {
  for (const p of problems) ctx.addIssue({ code: 'custom', ...p });
};

const shortAnswerInput = z.object({
  type: z.literal('short_answer'),
  ...commonFields,
  content: shortAnswerContentSchema.default({}),
  answerKey: shortAnswerKeySchema,
});
const numericInput = z.object({
  type: z.literal('numeric'),
  ...commonFields,
  content: numericContentSchema.default({ units: [], unitRequired: false }),
  answerKey: numericKeySchema,
});
const essayInput = z.object({
  type: z.literal('essay'),
  ...commonFields,
  content: essayContentSchema.default({}),
  answerKey: essayKeySchema.default({ rubric: [] }),
});
const matchingInput = z
  .object({
    type: z.literal('matching'),
    ...commonFields,
    content: matchingContentSchema,
    answerKey: matchingKeySchema,
  })
  .superRefine((q, ctx) => issues(ctx, matchingKeyProblems(q.content, q.answerKey)));
const orderingInput = z
  .object({
    type: z.literal('ordering'),
    ...commonFields,
    content: orderingContentSchema,
    answerKey: orderingKeySchema,
  })
  .superRefine((q, ctx) => issues(ctx, orderingKeyProblems(q.content, q.answerKey)));
const fillBlanksInput = z
  .object({
    type: z.literal('fill_blanks'),
    ...commonFields,
    content: fillBlanksContentSchema,
    answerKey: fillBlanksKeySchema,
  })
  .superRefine((q, ctx) => issues(ctx, fillBlanksKeyProblems(q.prompt, q.content, q.answerKey)));

const typeError = { error: `type must be one of: ${questionTypeNames.join(', ')}` };

/** Create, replace (PUT) and import body of one question: every field, checked per type. */
export const questionInputSchema = z.discriminatedUnion(
  'type',
  [
    singleChoiceInput,
    multipleChoiceInput,
    trueFalseInput,
    shortAnswerInput,
    numericInput,
    essayInput,
    matchingInput,
    orderingInput,
    fillBlanksInput,
  ],
  typeError,
);
export type QuestionInput = z.infer<typeof questionInputSchema>;
export const questionCreateSchema = questionInputSchema;
/** PUT replaces the whole question (its type may change); its position stays. */
export const questionUpdateSchema = questionInputSchema;

// ---------------------------------------------------------------- what the API answers

const storedFields = {
  id: z.uuid(),
  /** Exactly one of examId and bankId is set: a question is authored in an exam or in a course's bank. */
  examId: z.uuid().nullable(),
  bankId: z.uuid().nullable(),
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
  z.object({
    type: z.literal('short_answer'),
    ...storedFields,
    content: shortAnswerContentSchema,
    answerKey: shortAnswerKeySchema,
  }),
  z.object({ type: z.literal('numeric'), ...storedFields, content: numericContentSchema, answerKey: numericKeySchema }),
  z.object({ type: z.literal('essay'), ...storedFields, content: essayContentSchema, answerKey: essayKeySchema }),
  z.object({
    type: z.literal('matching'),
    ...storedFields,
    content: matchingContentSchema,
    answerKey: matchingKeySchema,
  }),
  z.object({
    type: z.literal('ordering'),
    ...storedFields,
    content: orderingContentSchema,
    answerKey: orderingKeySchema,
  }),
  z.object({
    type: z.literal('fill_blanks'),
    ...storedFields,
    content: fillBlanksContentSchema,
    answerKey: fillBlanksKeySchema,
  }),
]);
export type Question = z.infer<typeof questionSchema>;

const studentFields = { id: z.uuid(), prompt: z.string(), points: z.number() };

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
  z.object({ ...studentFields, type: z.literal('short_answer'), content: shortAnswerContentSchema }),
  z.object({ ...studentFields, type: z.literal('numeric'), content: numericContentSchema }),
  z.object({ ...studentFields, type: z.literal('essay'), content: essayContentSchema }),
  /** Choices in the attempt's order. */
  z.object({ ...studentFields, type: z.literal('matching'), content: matchingContentSchema }),
  /** Items in the attempt's (always shuffled) order. */
  z.object({ ...studentFields, type: z.literal('ordering'), content: orderingContentSchema }),
  z.object({ ...studentFields, type: z.literal('fill_blanks'), content: fillBlanksContentSchema }),
]);
export type StudentQuestion = z.infer<typeof studentQuestionSchema>;

/** A student's answer to one question, by type. */
export const questionResponseSchemas = {
  single_choice: singleChoiceResponseSchema,
  multiple_choice: multipleChoiceResponseSchema,
  true_false: trueFalseResponseSchema,
  short_answer: shortAnswerResponseSchema,
  numeric: numericResponseSchema,
  essay: essayResponseSchema,
  matching: matchingResponseSchema,
  ordering: orderingResponseSchema,
  fill_blanks: fillBlanksResponseSchema,
} as const satisfies Record<QuestionTypeName, z.ZodType>;

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
