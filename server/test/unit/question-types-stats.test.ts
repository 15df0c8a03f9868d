// Statistics per type: typed answers counted by their normalised form, essays by hand mark.
import { describe, expect, it } from 'vitest';
import { questionInputSchema } from '@exam-hall/protocol';
import { choiceTally, isManuallyGraded, typedAnswerText } from '../../src/modules/questions/types/index.ts';
import { itemAnalysis, TOP_ANSWERS, type StatAnswer } from '../../src/modules/results/results.stats.ts';

const attempts = ['a1', 'a2', 'a3', 'a4'].map((id, i) => ({ id, percentage: 100 - i * 10, questionIds: ['sa', 'es'] }));
const questions = [
  { id: 'sa', points: 2, optionIds: null, typed: true },
  { id: 'es', points: 10, optionIds: null, manual: true },
];
const answer = (attemptId: string, questionId: string, over: Partial<StatAnswer>): StatAnswer => ({
  attemptId,
  questionId,
  answered: true,
  pointsAwarded: 0,
  picks: [],
  ...over,
});

describe('item analysis per type', () => {
  it('typed questions report the most common normalised answers with counts and whether they were right', () => {
    const f = itemAnalysis(questions, attempts, [
      answer('a1', 'sa', { text: 'paris', pointsAwarded: 2 }),
      answer('a2', 'sa', { text: 'paris', pointsAwarded: 2 }),
      answer('a3', 'sa', { text: 'lyon', pointsAwarded: 0 }),
      answer('a4', 'sa', { text: null, answered: true }),
    ]).questions.get('sa')!;
    expect(f.topAnswers).toEqual([
      { text: 'paris', count: 2, correct: true },
      { text: 'lyon', count: 1, correct: false },
    ]);
    expect(f.optionCounts).toBeNull();
    expect(f.handMarks).toBeNull();
  });

  it('keeps the ten most common answers, ties in text order', () => {
    const many = Array.from({ length: 14 }, (_, i) => ({ id: `x${i}`, percentage: 50, questionIds: ['sa'] }));
    const f = itemAnalysis(
      [questions[0]!],
      many,
      many.map((a, i) => answer(a.id, 'sa', { text: i < 3 ? 'common' : `other ${String(i).padStart(2, '0')}` })),
    ).questions.get('sa')!;
    expect(f.topAnswers).toHaveLength(TOP_ANSWERS);
    expect(f.topAnswers![0]).toEqual({ text: 'common', count: 3, correct: false });
    expect(f.topAnswers![1]!.text).toBe('other 03');
  });

  it('essays report marked, pending and the mean hand mark', () => {
    const f = itemAnalysis(questions, attempts, [
      answer('a1', 'es', { handMark: 8, pointsAwarded: 8 }),
      answer('a2', 'es', { handMark: 5, pointsAwarded: 5 }),
      answer('a3', 'es', { handMark: null, awaitingMark: true }),
      answer('a4', 'es', { handMark: null, awaitingMark: false }), // empty essay, settled at 0
    ]).questions.get('es')!;
    expect(f.handMarks).toEqual({ marked: 2, pending: 1, mean: 6.5 });
    expect(f.topAnswers).toBeNull();
  });
});

describe('what each type contributes', () => {
  const parse = (body: unknown) => questionInputSchema.parse(body);

  it('short answer folds case and white space; numeric converts to the key unit', () => {
    const sa = typedAnswerText(parse({ type: 'short_answer', prompt: 'Q', answerKey: { accepted: ['Paris'] } }))!;
    expect(sa({ text: '  PARIS  ' })).toBe('paris');
    expect(sa({ text: 'New   York' })).toBe('new york');
    expect(sa({ text: '   ' })).toBeNull();
    expect(sa(null)).toBeNull();
    expect(sa({ wrong: 'shape' })).toBeNull();
    const nu = typedAnswerText(
      parse({
        type: 'numeric',
        prompt: 'Q',
        content: {
          units: [
            { unit: 'm', multiplier: 1 },
            { unit: 'cm', multiplier: 100 },
          ],
        },
        answerKey: { answers: [{ value: 2 }] },
      }),
    )!;
    expect(nu({ value: 200, unit: 'cm' })).toBe('2 m');
    expect(nu({ value: 2, unit: 'm' })).toBe('2 m');
    expect(nu({ value: 0.1 + 0.2 })).toBe('0.3 m');
  });

  it('matching, ordering and gaps describe the answer with their texts', () => {
    const m = typedAnswerText(
      parse({
        type: 'matching',
        prompt: 'Q',
        content: {
          stems: [
            { id: 's1', text: '<strong>France</strong>' },
            { id: 's2', text: 'Italy' },
          ],
          choices: [
            { id: 'c1', text: 'Paris' },
            { id: 'c2', text: 'Rome' },
          ],
        },
        answerKey: {
          pairs: [
            { stemId: 's1', choiceId: 'c1' },
            { stemId: 's2', choiceId: 'c2' },
          ],
        },
      }),
    )!;
    expect(m({ pairs: [{ stemId: 's1', choiceId: 'c2' }] })).toBe('France → Rome; Italy → –');
    const o = typedAnswerText(
      parse({
        type: 'ordering',
        prompt: 'Q',
        content: {
          items: [
            { id: 'a', text: 'One' },
            { id: 'b', text: 'Two' },
          ],
        },
        answerKey: { order: ['a', 'b'] },
      }),
    )!;
    expect(o({ order: ['b', 'a'] })).toBe('Two > One');
    expect(o({ order: [] })).toBeNull();
    const g = typedAnswerText(
      parse({
        type: 'fill_blanks',
        prompt: '[[t]] and [[d]]',
        content: {
          gaps: [
            { id: 't' },
            {
              id: 'd',
              options: [
                { id: 'x', text: 'Ex' },
                { id: 'y', text: 'Why' },
              ],
            },
          ],
        },
        answerKey: {
          gaps: [
            { gapId: 't', accepted: ['a'] },
            { gapId: 'd', accepted: ['x'] },
          ],
        },
      }),
    )!;
    expect(
      g({
        gaps: [
          { gapId: 't', value: ' A  B ' },
          { gapId: 'd', value: 'y' },
        ],
      }),
    ).toBe('a b | Why');
  });

  it('choice types keep option tallies, essays are marked by hand, neither lists typed answers', () => {
    const mc = parse({
      type: 'single_choice',
      prompt: 'Q',
      content: {
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
        ],
      },
      answerKey: { correct: 'a' },
    });
    expect(typedAnswerText(mc)).toBeNull();
    expect(choiceTally(mc)).not.toBeNull();
    const essay = parse({ type: 'essay', prompt: 'Q' });
    expect(typedAnswerText(essay)).toBeNull();
    expect(choiceTally(essay)).toBeNull();
    expect(isManuallyGraded(essay.type)).toBe(true);
  });
});
