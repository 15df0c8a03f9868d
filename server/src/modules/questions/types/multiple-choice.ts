// Several correct options; the exam's partial-credit rule decides how near misses score.
import {
  choiceContentSchema,
  choiceKeyProblems,
  multipleChoiceKeySchema,
  multipleChoiceResponseSchema,
  type ChoiceContent,
  type MultipleChoiceKey,
  type MultipleChoiceResponse,
} from '@exam-hall/protocol';
import { orderOptions, unknownOptionProblems, type QuestionType } from './question-type.ts';

export const multipleChoice: QuestionType<ChoiceContent, MultipleChoiceKey, MultipleChoiceResponse> = {
  type: 'multiple_choice',
  contentSchema: choiceContentSchema,
  answerKeySchema: multipleChoiceKeySchema,
  responseSchema: multipleChoiceResponseSchema,
  validate: (content, key) => choiceKeyProblems(content, key.correct, true),
  responseProblems: (content, response) =>
    unknownOptionProblems(content.options, response.optionIds, (i) => ['optionIds', i]),
  studentView: (content, optionOrder) => ({ options: orderOptions(content.options, optionOrder) }),
  optionIds: (content) => content.options.map((o) => o.id),
  grade: (_content, key, response, rule) => {
    const correctIds = new Set(key.correct);
    const picked = new Set(response.optionIds);
    let right = 0;
    let wrong = 0;
    for (const id of picked) {
      if (correctIds.has(id)) right++;
      else wrong++;
    }
    const exact = wrong === 0 && right === correctIds.size;
    if (rule.partialCredit === 'all_or_nothing') return { fraction: exact ? 1 : 0, correct: exact };
    // Proportional: each correct pick earns 1/|correct|, each wrong pick costs `penalty` of that.
    const raw = (right - rule.penalty * wrong) / correctIds.size;
    return { fraction: Math.min(1, Math.max(0, raw)), correct: exact };
  },
  choices: (content, key) =>
    content.options.map((o) => ({ id: o.id, text: o.text, correct: key.correct.includes(o.id) })),
  picks: (response) => response.optionIds,
};
