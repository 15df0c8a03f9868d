// Put the items in order. Items are shuffled for every attempt, never in the key's order.
import {
  orderingContentSchema,
  orderingKeyProblems,
  orderingKeySchema,
  orderingResponseSchema,
  type OrderingContent,
  type OrderingKey,
  type OrderingResponse,
} from '@exam-hall/protocol';
import { plainText } from '../../../lib/html.ts';
import { orderOptions, unknownOptionProblems, type QuestionType } from './question-type.ts';

export const ordering: QuestionType<OrderingContent, OrderingKey, OrderingResponse> = {
  type: 'ordering',
  contentSchema: orderingContentSchema,
  answerKeySchema: orderingKeySchema,
  responseSchema: orderingResponseSchema,
  alwaysShuffle: true,
  validate: (content, key) => orderingKeyProblems(content, key),
  responseProblems: (content, response) => unknownOptionProblems(content.items, response.order, (i) => ['order', i]),
  studentView: (content, optionOrder) => ({ items: orderOptions(content.items, optionOrder) }),
  optionIds: (content) => content.items.map((i) => i.id),
  keyOrder: (_content, key) => key.order,
  // Proportional: items in their right absolute position / items; otherwise all or nothing.
  grade: (_content, key, response, rule) => {
    const n = key.order.length;
    const inPlace = key.order.filter((id, i) => response.order[i] === id).length;
    const exact = inPlace === n && response.order.length === n;
    if (rule.partialCredit === 'all_or_nothing') return { fraction: exact ? 1 : 0, correct: exact };
    return { fraction: n ? inPlace / n : 0, correct: exact };
  },
  choices: () => null,
  picks: () => [],
  answerText: (content, _key, response) => {
    const text = new Map(content.items.map((i) => [i.id, plainText(i.text, 30)]));
    return response.order.length ? response.order.map((id) => text.get(id) ?? id).join(' > ') : null;
  },
};
