// A statement that is true or false; the two options are implicit and never shuffled.
import {
  trueFalseContentSchema,
  trueFalseKeySchema,
  trueFalseResponseSchema,
  type TrueFalseKey,
  type TrueFalseResponse,
} from '@exam-hall/protocol';
import type { z } from 'zod';
import type { QuestionType } from './question-type.ts';

type TrueFalseContent = z.infer<typeof trueFalseContentSchema>;

export const trueFalse: QuestionType<TrueFalseContent, TrueFalseKey, TrueFalseResponse> = {
  type: 'true_false',
  contentSchema: trueFalseContentSchema,
  answerKeySchema: trueFalseKeySchema,
  responseSchema: trueFalseResponseSchema,
  validate: () => [],
  responseProblems: () => [],
  studentView: () => ({}),
  optionIds: () => null,
  grade: (_content, key, response) => {
    const correct = response.value === key.correct;
    return { fraction: correct ? 1 : 0, correct };
  },
  choices: (_content, key) => [
    { id: 'true', text: 'True', correct: key.correct },
    { id: 'false', text: 'False', correct: !key.correct },
  ],
  picks: (response) => [String(response.value)],
};
