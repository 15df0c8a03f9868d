// Property: the order options, items, stems, choices or drop-down entries are listed in (and
// so any shuffle a student sees) never changes a grade, for every type that has them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { questionInputSchema, type QuestionInput } from '@exam-hall/protocol';
import { gradeResponse, optionShufflePlan, type GradingRule } from '../../src/modules/questions/types/index.ts';
import { pickOrders } from '../../src/modules/questions/questions.student.ts';

const rules: GradingRule[] = [
  { partialCredit: 'all_or_nothing', penalty: 0 },
  { partialCredit: 'proportional', penalty: 0 },
  { partialCredit: 'proportional', penalty: 0.5 },
  { partialCredit: 'proportional', penalty: 1 },
];
const ruleArb = fc.constantFrom(...rules);
const idsOf = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);
const texts = (ids: string[]) => ids.map((id) => ({ id, text: `T ${id}` }));

/** A permutation of `items` drawn by fast-check (so failures shrink and replay). */
const permuted = <T>(items: readonly T[]) =>
  fc.array(fc.nat(), { minLength: items.length, maxLength: items.length }).map((keys) =>
    items
      .map((x, i) => ({ x, k: keys[i]! }))
      .sort((a, b) => a.k - b.k)
      .map((e) => e.x),
  );

/** A question, a response to it, and the same question with its lists reordered. */
interface Case {
  q: QuestionInput;
  reordered: QuestionInput;
  response: unknown;
}

const choiceCase = (type: 'single_choice' | 'multiple_choice'): fc.Arbitrary<Case> =>
  fc
    .integer({ min: 2, max: 8 })
    .chain((n) => {
      const ids = idsOf(n, 'o');
      return fc.record({
        ids: fc.constant(ids),
        correct: fc.subarray(ids, { minLength: 1 }),
        picked: fc.subarray(ids),
        order: permuted(ids),
      });
    })
    .map(({ ids, correct, picked, order }) => {
      const body = {
        type,
        prompt: 'Q',
        content: { options: texts(ids) },
        answerKey: { correct: type === 'single_choice' ? correct[0] : correct },
      };
      const q = questionInputSchema.parse(body);
      const reordered = questionInputSchema.parse({ ...body, content: { options: texts(order) } });
      const response = type === 'single_choice' ? { optionId: picked[0] ?? ids[0] } : { optionIds: picked };
      return { q, reordered, response };
    });

const matchingCase: fc.Arbitrary<Case> = fc
  .record({ stems: fc.integer({ min: 2, max: 6 }), extra: fc.integer({ min: 0, max: 3 }) })
  .chain(({ stems, extra }) => {
    const stemIds = idsOf(stems, 's');
    const choiceIds = idsOf(stems + extra, 'c');
    return fc.record({
      stemIds: fc.constant(stemIds),
      choiceIds: fc.constant(choiceIds),
      key: fc.array(fc.constantFrom(...choiceIds), { minLength: stems, maxLength: stems }),
      answered: fc.subarray(stemIds),
      answers: fc.array(fc.constantFrom(...choiceIds), { minLength: stems, maxLength: stems }),
      stemOrder: permuted(stemIds),
      choiceOrder: permuted(choiceIds),
    });
  })
  .map(({ stemIds, choiceIds, key, answered, answers, stemOrder, choiceOrder }) => {
    const body = {
      type: 'matching',
      prompt: 'Q',
      content: { stems: texts(stemIds), choices: texts(choiceIds) },
      answerKey: { pairs: stemIds.map((stemId, i) => ({ stemId, choiceId: key[i]! })) },
    };
    return {
      q: questionInputSchema.parse(body),
      reordered: questionInputSchema.parse({
        ...body,
        content: { stems: texts(stemOrder), choices: texts(choiceOrder) },
      }),
      response: { pairs: answered.map((stemId) => ({ stemId, choiceId: answers[stemIds.indexOf(stemId)]! })) },
    };
  });

const orderingCase: fc.Arbitrary<Case> = fc
  .integer({ min: 2, max: 8 })
  .chain((n) => {
    const ids = idsOf(n, 'i');
    return fc.record({ ids: fc.constant(ids), key: permuted(ids), answer: permuted(ids), shown: permuted(ids) });
  })
  .map(({ ids, key, answer, shown }) => {
    const body = { type: 'ordering', prompt: 'Q', content: { items: texts(ids) }, answerKey: { order: key } };
    return {
      q: questionInputSchema.parse(body),
      reordered: questionInputSchema.parse({ ...body, content: { items: texts(shown) } }),
      response: { order: answer },
    };
  });

const fillBlanksCase: fc.Arbitrary<Case> = fc
  .integer({ min: 2, max: 6 })
  .chain((n) => {
    const ids = idsOf(n, 'o');
    return fc.record({
      ids: fc.constant(ids),
      right: fc.constantFrom(...ids),
      picked: fc.constantFrom(...ids),
      order: permuted(ids),
      typed: fc.constantFrom('Paris', ' paris ', 'Lyon', ''),
    });
  })
  .map(({ ids, right, picked, order, typed }) => {
    const body = (list: string[]) => ({
      type: 'fill_blanks',
      prompt: 'Pick [[d]] and type [[t]]',
      content: { gaps: [{ id: 'd', options: texts(list) }, { id: 't' }] },
      answerKey: {
        gaps: [
          { gapId: 'd', accepted: [right] },
          { gapId: 't', accepted: ['Paris'] },
        ],
      },
    });
    return {
      q: questionInputSchema.parse(body(ids)),
      reordered: questionInputSchema.parse(body(order)),
      response: {
        gaps: [
          { gapId: 'd', value: picked },
          { gapId: 't', value: typed },
        ],
      },
    };
  });

const cases: [string, fc.Arbitrary<Case>][] = [
  ['single_choice', choiceCase('single_choice')],
  ['multiple_choice', choiceCase('multiple_choice')],
  ['matching', matchingCase],
  ['ordering', orderingCase],
  ['fill_blanks', fillBlanksCase],
];

describe('shuffled lists grade the same', () => {
  for (const [type, arb] of cases) {
    it(type, () => {
      fc.assert(
        fc.property(arb, ruleArb, ({ q, reordered, response }, rule) => {
          const a = gradeResponse(q, response, rule);
          expect(gradeResponse(reordered, response, rule)).toEqual(a);
          expect(a.fraction).toBeGreaterThanOrEqual(0);
          expect(a.fraction).toBeLessThanOrEqual(1);
        }),
        { numRuns: 200 },
      );
    });
  }

  it("an attempt's option order is always a permutation of the question's own ids", () => {
    const id = '00000000-0000-4000-8000-000000000001';
    fc.assert(
      fc.property(fc.oneof(...cases.map(([, a]) => a)), fc.boolean(), ({ q }, shuffleOptions) => {
        const plan = optionShufflePlan(q)!;
        const { optionOrder } = pickOrders([{ ...q, id }], { shuffleQuestions: false, shuffleOptions });
        expect([...optionOrder[id]!].sort()).toEqual([...plan.ids].sort());
      }),
      { numRuns: 200 },
    );
  });
});
