// One correct option among 2-20.
import {
  choiceContentSchema,
  choiceKeyProblems,
  singleChoiceKeySchema,
  singleChoiceResponseSchema,
  type ChoiceContent,
  type SingleChoiceKey,
  type SingleChoiceResponse,
} from '@exam-hall/protocol';
import { orderOptions, unknownOptionProblems, type QuestionType } from './question-type.ts';

export const singleChoice: QuestionType<ChoiceContent, SingleChoiceKey, SingleChoiceResponse> = {
  type: 'single_choice',
  contentSchema: choiceContentSchema,
  answerKeySchema: singleChoiceKeySchema,
  responseSchema: singleChoiceResponseSchema,
  validate: (content, key) => choiceKeyProblems(content, [key.correct], false),
  responseProblems: (content, response) =>
    unknownOptionProblems(content.options, [response.optionId], () => ['optionId']),
  studentView: (content, optionOrder) => ({ options: orderOptions(content.options, optionOrder) }),
  optionIds: (content) => content.options.map((o) => o.id),
  // Partial credit and penalties apply to multiple choice only: one pick is right or wrong.
  grade: (_content, key, response) => {
    const correct = response.optionId === key.correct;
    return { fraction: correct ? 1 : 0, correct };
  },
  choices: (content, key) => content.options.map((o) => ({ id: o.id, text: o.text, correct: o.id === key.correct })),
  picks: (response) => [response.optionId],
};
