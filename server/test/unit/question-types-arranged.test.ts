// Matching, ordering and essay: partial credit, shuffles that never show the key, manual marks.
import { describe, expect, it } from 'vitest';
import { questionInputSchema } from '@exam-hall/protocol';
import {
  checkResponse,
  gradeResponse,
  isManuallyGraded,
  optionShufflePlan,
  studentViewOf,
  type GradingRule,
} from '../../src/modules/questions/types/index.ts';
import { pickOrders, shuffleAvoiding } from '../../src/modules/questions/questions.student.ts';

const allOrNothing: GradingRule = { partialCredit: 'all_or_nothing', penalty: 0 };
const proportional = (penalty = 0): GradingRule => ({ partialCredit: 'proportional', penalty });
const list = (...ids: string[]) => ids.map((id) => ({ id, text: `Text ${id}` }));
const id = '00000000-0000-4000-8000-000000000001';

const matchingQ = () =>
  questionInputSchema.parse({
    type: 'matching',
    prompt: 'Match the capitals',
    content: { stems: list('fr', 'de', 'it', 'es'), choices: list('paris', 'berlin', 'rome', 'madrid', 'oslo') },
    answerKey: {
      pairs: [
        { stemId: 'fr', choiceId: 'paris' },
        { stemId: 'de', choiceId: 'berlin' },
        { stemId: 'it', choiceId: 'rome' },
        { stemId: 'es', choiceId: 'madrid' },
      ],
    },
  });
const pairs = (...p: [string, string][]) => ({ pairs: p.map(([stemId, choiceId]) => ({ stemId, choiceId })) });

describe('matching', () => {
  it('proportional: right pairs / stems, minus the penalty per wrong pair', () => {
    const q = matchingQ();
    const all = pairs(['fr', 'paris'], ['de', 'berlin'], ['it', 'rome'], ['es', 'madrid']);
    expect(gradeResponse(q, all, proportional())).toEqual({ fraction: 1, correct: true });
    const half = pairs(['fr', 'paris'], ['de', 'berlin'], ['it', 'oslo']);
    expect(gradeResponse(q, half, proportional())).toEqual({ fraction: 0.5, correct: false });
    expect(gradeResponse(q, half, proportional(0.5))).toEqual({ fraction: 0.375, correct: false });
    expect(gradeResponse(q, pairs(['fr', 'oslo'], ['de', 'rome']), proportional(1)).fraction).toBe(0);
  });

  it('all or nothing otherwise; empty answers earn 0', () => {
    const q = matchingQ();
    expect(gradeResponse(q, pairs(['fr', 'paris'], ['de', 'berlin'], ['it', 'rome']), allOrNothing).fraction).toBe(0);
    expect(gradeResponse(q, pairs(), proportional())).toEqual({ fraction: 0, correct: false });
  });

  it('refuses stems or choices the question does not have', () => {
    expect(checkResponse(matchingQ(), pairs(['xx', 'paris'], ['fr', 'nope']))).toMatchObject({
      ok: false,
      problems: [{ path: ['pairs', 0, 'stemId'] }, { path: ['pairs', 1, 'choiceId'] }],
    });
    expect(checkResponse(matchingQ(), pairs(['fr', 'paris'], ['fr', 'rome']))).toMatchObject({ ok: false });
  });

  it('is always shuffled, never into the right choices in stem order', () => {
    const q = matchingQ();
    const plan = optionShufflePlan(q)!;
    expect(plan).toEqual({
      ids: ['paris', 'berlin', 'rome', 'madrid', 'oslo'],
      always: true,
      avoid: ['paris', 'berlin', 'rome', 'madrid'],
    });
    for (let i = 0; i < 200; i++) {
      const { optionOrder } = pickOrders([{ ...q, id }], { shuffleQuestions: false, shuffleOptions: false });
      expect(optionOrder[id]!.slice(0, 4)).not.toEqual(plan.avoid);
      expect([...optionOrder[id]!].sort()).toEqual([...plan.ids].sort());
    }
  });

  it("the student sees stems and choices in the attempt's order, no key", () => {
    const view = studentViewOf({ ...matchingQ(), id, points: 1 }, ['oslo', 'rome', 'paris', 'madrid', 'berlin']);
    expect(view.content).toEqual({
      stems: list('fr', 'de', 'it', 'es'),
      choices: list('oslo', 'rome', 'paris', 'madrid', 'berlin'),
    });
    expect(JSON.stringify(view)).not.toContain('pairs');
  });
});

const orderingQ = () =>
  questionInputSchema.parse({
    type: 'ordering',
    prompt: 'Oldest first',
    content: { items: list('a', 'b', 'c', 'd') },
    answerKey: { order: ['a', 'b', 'c', 'd'] },
  });

describe('ordering', () => {
  it('proportional: items in their right absolute position / items', () => {
    const q = orderingQ();
    expect(gradeResponse(q, { order: ['a', 'b', 'c', 'd'] }, proportional())).toEqual({ fraction: 1, correct: true });
    expect(gradeResponse(q, { order: ['a', 'b', 'd', 'c'] }, proportional())).toEqual({
      fraction: 0.5,
      correct: false,
    });
    // Shifted by one: nothing in its absolute place.
    expect(gradeResponse(q, { order: ['d', 'a', 'b', 'c'] }, proportional()).fraction).toBe(0);
  });

  it('all or nothing otherwise; empty or partial answers', () => {
    const q = orderingQ();
    expect(gradeResponse(q, { order: ['a', 'b', 'd', 'c'] }, allOrNothing).fraction).toBe(0);
    expect(gradeResponse(q, { order: [] }, proportional())).toEqual({ fraction: 0, correct: false });
    expect(gradeResponse(q, { order: ['a', 'b'] }, proportional()).fraction).toBe(0.5);
    expect(gradeResponse(q, { order: ['a', 'b'] }, allOrNothing).fraction).toBe(0);
  });

  it('refuses unknown or repeated items', () => {
    expect(checkResponse(orderingQ(), { order: ['a', 'z'] })).toMatchObject({
      ok: false,
      problems: [{ path: ['order', 1] }],
    });
    expect(checkResponse(orderingQ(), { order: ['a', 'a'] })).toMatchObject({ ok: false });
  });

  it('is always shuffled and never shown in the key order, even with two items', () => {
    const two = questionInputSchema.parse({
      type: 'ordering',
      prompt: 'Smaller first',
      content: { items: list('x', 'y') },
      answerKey: { order: ['x', 'y'] },
    });
    for (let i = 0; i < 100; i++) {
      const { optionOrder } = pickOrders(
        [
          { ...two, id },
          { ...orderingQ(), id: id.replace(/1$/, '2') },
        ],
        { shuffleQuestions: false, shuffleOptions: false },
      );
      expect(optionOrder[id]).toEqual(['y', 'x']);
      expect(optionOrder[id.replace(/1$/, '2')]).not.toEqual(['a', 'b', 'c', 'd']);
    }
    expect(shuffleAvoiding(['only'], ['only'])).toEqual(['only']);
  });
});

describe('essay', () => {
  const essayQ = () => questionInputSchema.parse({ type: 'essay', prompt: 'Discuss', content: { wordLimit: 300 } });

  it('is marked by hand: grading says manual and gives 0 until marked', () => {
    expect(isManuallyGraded('essay')).toBe(true);
    expect(isManuallyGraded('short_answer')).toBe(false);
    expect(gradeResponse(essayQ(), { html: '<p>An answer</p>' }, allOrNothing)).toEqual({
      fraction: 0,
      correct: false,
      manual: true,
    });
  });

  it('an empty essay earns 0 at once (nothing to mark)', () => {
    expect(gradeResponse(essayQ(), { html: '' }, allOrNothing)).toEqual({ fraction: 0, correct: false });
    expect(gradeResponse(essayQ(), { html: '<p> </p><br>' }, allOrNothing)).toEqual({ fraction: 0, correct: false });
  });

  it('stores the answer sanitised', () => {
    const r = checkResponse(essayQ(), {
      html: '<p onclick="x()">Hi <script>alert(1)</script><strong>there</strong></p>',
    });
    expect(r).toEqual({ ok: true, value: { html: '<p>Hi <strong>there</strong></p>' } });
  });

  it('the student sees the word limit, never the rubric', () => {
    const q = questionInputSchema.parse({
      type: 'essay',
      prompt: 'Discuss',
      content: { wordLimit: 250 },
      answerKey: { rubric: [{ id: 'r1', criterion: 'Secret rubric', points: 2 }], guidance: 'hidden' },
    });
    const view = studentViewOf({ ...q, id, points: 5 });
    expect(view.content).toEqual({ wordLimit: 250 });
    expect(JSON.stringify(view)).not.toMatch(/Secret rubric|hidden/);
  });
});
