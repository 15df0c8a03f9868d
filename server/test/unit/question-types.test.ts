import { describe, expect, it } from 'vitest';
import { questionInputSchema, questionTypeNames, questionsDocumentSchema } from '@exam-hall/protocol';
import {
  checkResponse,
  choiceTally,
  getQuestionType,
  gradeResponse,
  questionTypes,
  studentViewOf,
  type GradingRule,
} from '../../src/modules/questions/types/index.ts';
import { multipleChoice } from '../../src/modules/questions/types/multiple-choice.ts';
import { singleChoice } from '../../src/modules/questions/types/single-choice.ts';
import { trueFalse } from '../../src/modules/questions/types/true-false.ts';
import { orderOptions } from '../../src/modules/questions/types/question-type.ts';
import { pickOrders, shuffle } from '../../src/modules/questions/questions.student.ts';

const allOrNothing: GradingRule = { partialCredit: 'all_or_nothing', penalty: 0 };
const proportional = (penalty: number): GradingRule => ({ partialCredit: 'proportional', penalty });
const options = (...ids: string[]) => ({ options: ids.map((id) => ({ id, text: `Option ${id}` })) });

/** Field paths and messages zod reports for a question body. */
function problems(body: unknown) {
  const r = questionInputSchema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}
const single = (over: Record<string, unknown> = {}) => ({
  type: 'single_choice',
  prompt: 'Capital of France?',
  content: options('a', 'b', 'c'),
  answerKey: { correct: 'b' },
  ...over,
});
const multiple = (over: Record<string, unknown> = {}) => ({
  type: 'multiple_choice',
  prompt: 'Prime numbers?',
  content: options('a', 'b', 'c', 'd'),
  answerKey: { correct: ['a', 'c'] },
  ...over,
});
const tf = (over: Record<string, unknown> = {}) => ({
  type: 'true_false',
  prompt: 'The earth is round.',
  answerKey: { correct: true },
  ...over,
});

describe('registry', () => {
  it('has an entry for every protocol type, keyed by its own name', () => {
    for (const name of questionTypeNames) expect(getQuestionType(name).type).toBe(name);
    expect(Object.keys(questionTypes).sort()).toEqual([...questionTypeNames].sort());
  });

  it('refuses an unknown type as a server fault', () => {
    expect(() => getQuestionType('hotspot')).toThrow(/Unknown question type 'hotspot'/);
    expect(() => getQuestionType('toString')).toThrow(/Unknown question type/);
  });
});

describe('question body validation', () => {
  it('accepts each type and fills defaults', () => {
    expect(questionInputSchema.parse(single())).toMatchObject({ points: 1, tags: [] });
    expect(questionInputSchema.parse(multiple({ points: 2.5, difficulty: 'hard', tags: ['math'] }))).toMatchObject({
      points: 2.5,
      difficulty: 'hard',
    });
    expect(questionInputSchema.parse(tf())).toMatchObject({ content: {}, answerKey: { correct: true } });
  });

  it('trims text', () => {
    const q = questionInputSchema.parse(single({ prompt: '  Why?  ', tags: [' x '] }));
    expect(q.prompt).toBe('Why?');
    expect(q.tags).toEqual(['x']);
  });

  it('names an unknown or missing type', () => {
    expect(problems(single({ type: 'hotspot' }))).toEqual([{ path: 'type', message: expect.stringMatching(/one of/) }]);
    expect(problems({ prompt: 'x' })[0]!.path).toBe('type');
  });

  it('checks the prompt length (1-5000)', () => {
    expect(problems(single({ prompt: '   ' }))).toEqual([{ path: 'prompt', message: 'Prompt is required' }]);
    expect(problems(single({ prompt: 'x'.repeat(5001) }))[0]).toMatchObject({ path: 'prompt' });
    expect(problems(single({ prompt: 'x'.repeat(5000) }))).toEqual([]);
    expect(problems(single({ prompt: 3 }))[0]).toMatchObject({ path: 'prompt', message: 'Prompt must be a string' });
  });

  it('checks the number of options (2-20)', () => {
    expect(problems(single({ content: options('a'), answerKey: { correct: 'a' } }))).toEqual([
      { path: 'content.options', message: 'Give at least 2 options' },
    ]);
    const ids = Array.from({ length: 21 }, (_, i) => `o${i}`);
    expect(problems(single({ content: options(...ids), answerKey: { correct: 'o0' } }))).toEqual([
      { path: 'content.options', message: 'Give at most 20 options' },
    ]);
    expect(problems(single({ content: options(...ids.slice(0, 20)), answerKey: { correct: 'o0' } }))).toEqual([]);
    expect(problems(single({ content: {} }))[0]).toMatchObject({ path: 'content.options' });
  });

  it('checks option text (1-1000) and ids (short, unique)', () => {
    const content = {
      options: [
        { id: 'a', text: '' },
        { id: 'b', text: 'x'.repeat(1001) },
      ],
    };
    expect(problems(single({ content, answerKey: { correct: 'a' } })).map((p) => p.path)).toEqual([
      'content.options.0.text',
      'content.options.1.text',
    ]);
    const dup = {
      options: [
        { id: 'a', text: 'A' },
        { id: 'a', text: 'B' },
      ],
    };
    expect(problems(single({ content: dup, answerKey: { correct: 'a' } }))).toEqual([
      { path: 'content.options.1.id', message: "Option id 'a' is used twice" },
    ]);
    const badId = {
      options: [
        { id: 'no spaces', text: 'A' },
        { id: 'x'.repeat(22), text: 'B' },
      ],
    };
    expect(problems(single({ content: badId, answerKey: { correct: 'a' } })).map((p) => p.path)).toEqual(
      expect.arrayContaining(['content.options.0.id', 'content.options.1.id']),
    );
  });

  it('requires the key to name existing options', () => {
    expect(problems(single({ answerKey: { correct: 'z' } }))).toEqual([
      { path: 'answerKey.correct', message: "Correct answer 'z' is not one of the options" },
    ]);
    expect(problems(multiple({ answerKey: { correct: ['a', 'z'] } }))).toEqual([
      { path: 'answerKey.correct.1', message: "Correct answer 'z' is not one of the options" },
    ]);
  });

  it('single choice has exactly one correct option', () => {
    expect(problems(single({ answerKey: { correct: ['a', 'b'] } }))).toEqual([
      { path: 'answerKey.correct', message: expect.stringMatching(/exactly one correct option/) },
    ]);
    expect(problems(single({ answerKey: {} }))[0]!.path).toBe('answerKey.correct');
  });

  it('multiple choice has at least one correct option, each once', () => {
    expect(problems(multiple({ answerKey: { correct: [] } }))).toEqual([
      { path: 'answerKey.correct', message: 'Mark at least one option as correct' },
    ]);
    expect(problems(multiple({ answerKey: { correct: ['a', 'a'] } }))).toEqual([
      { path: 'answerKey.correct', message: 'Each correct option may be listed only once' },
    ]);
  });

  it('true/false needs a boolean key', () => {
    expect(problems(tf({ answerKey: { correct: 'yes' } }))).toEqual([
      { path: 'answerKey.correct', message: 'Correct answer must be true or false' },
    ]);
  });

  it('checks points (> 0, <= 1000, cents at most)', () => {
    expect(problems(single({ points: 0 }))).toEqual([{ path: 'points', message: 'Points must be more than 0' }]);
    expect(problems(single({ points: -1 }))[0]!.path).toBe('points');
    expect(problems(single({ points: 1000.01 }))).toEqual([{ path: 'points', message: 'Points must be at most 1000' }]);
    expect(problems(single({ points: 0.291 }))).toEqual([
      { path: 'points', message: 'Points may have at most 2 decimal places' },
    ]);
    expect(problems(single({ points: '2' }))).toEqual([{ path: 'points', message: 'Points must be a number' }]);
    expect(problems(single({ points: 1000 }))).toEqual([]);
    expect(problems(single({ points: 0.29 }))).toEqual([]);
  });

  it('checks explanation, difficulty and tags', () => {
    expect(problems(single({ explanation: 'x'.repeat(5001) }))).toEqual([
      { path: 'explanation', message: 'Explanation must be at most 5000 characters' },
    ]);
    expect(problems(single({ explanation: null, difficulty: null }))).toEqual([]);
    expect(problems(single({ difficulty: 'extreme' }))).toEqual([
      { path: 'difficulty', message: 'Difficulty must be easy, medium or hard' },
    ]);
    expect(problems(single({ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }))).toEqual([
      { path: 'tags', message: 'At most 20 tags' },
    ]);
    expect(problems(single({ tags: ['x'.repeat(51)] }))).toEqual([
      { path: 'tags.0', message: 'Each tag must be at most 50 characters' },
    ]);
    expect(problems(single({ tags: ['a', 'a'] }))).toEqual([
      { path: 'tags', message: 'Each tag may be listed only once' },
    ]);
    expect(problems(single({ tags: [''] }))).toEqual([{ path: 'tags.0', message: 'A tag cannot be empty' }]);
  });

  it('the export document names each bad question by index', () => {
    const r = questionsDocumentSchema.safeParse({
      format: 'exam-hall.questions',
      version: 1,
      questions: [tf(), single({ content: options('a'), answerKey: { correct: 'a' } })],
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['questions.1.content.options']);
    const wrongFormat = questionsDocumentSchema.safeParse({ format: 'other', version: 2, questions: [] });
    expect(wrongFormat.error!.issues.map((i) => i.path.join('.'))).toEqual(['format', 'version']);
    const tooMany = questionsDocumentSchema.safeParse({
      format: 'exam-hall.questions',
      version: 1,
      questions: Array.from({ length: 501 }, () => tf()),
    });
    expect(tooMany.error!.issues[0]!.message).toMatch(/At most 500/);
  });
});

describe('type-level validate()', () => {
  it('single choice: key must be an option', () => {
    expect(singleChoice.validate(options('a', 'b'), { correct: 'b' }, 'Q')).toEqual([]);
    expect(singleChoice.validate(options('a', 'b'), { correct: 'c' }, 'Q')).toEqual([
      { path: ['answerKey', 'correct'], message: "Correct answer 'c' is not one of the options" },
    ]);
  });
  it('multiple choice: every key entry must be an option', () => {
    expect(multipleChoice.validate(options('a', 'b'), { correct: ['a', 'b'] }, 'Q')).toEqual([]);
    expect(multipleChoice.validate(options('a', 'b'), { correct: ['x', 'b', 'y'] }, 'Q').map((p) => p.path)).toEqual([
      ['answerKey', 'correct', 0],
      ['answerKey', 'correct', 2],
    ]);
  });
  it('true/false has nothing to cross-check', () => {
    expect(trueFalse.validate({}, { correct: false }, 'Q')).toEqual([]);
  });
});

describe('single choice grading', () => {
  it('is right only for the correct option, whatever the rule', () => {
    for (const rule of [allOrNothing, proportional(0.5)]) {
      expect(singleChoice.grade(options('a', 'b'), { correct: 'b' }, { optionId: 'b' }, rule)).toEqual({
        fraction: 1,
        correct: true,
      });
      expect(singleChoice.grade(options('a', 'b'), { correct: 'b' }, { optionId: 'a' }, rule)).toEqual({
        fraction: 0,
        correct: false,
      });
    }
  });
});

describe('true/false grading', () => {
  it('compares the value', () => {
    expect(trueFalse.grade({}, { correct: false }, { value: false }, allOrNothing)).toEqual({
      fraction: 1,
      correct: true,
    });
    expect(trueFalse.grade({}, { correct: false }, { value: true }, allOrNothing)).toEqual({
      fraction: 0,
      correct: false,
    });
  });
});

describe('multiple choice grading', () => {
  const content = options('a', 'b', 'c', 'd');
  const key = { correct: ['a', 'b', 'c'] };
  const grade = (picked: string[], rule: GradingRule) =>
    multipleChoice.grade(content, key, { optionIds: picked }, rule);

  it('all or nothing: only the exact set scores', () => {
    expect(grade(['c', 'a', 'b'], allOrNothing)).toEqual({ fraction: 1, correct: true });
    expect(grade(['a', 'b'], allOrNothing)).toEqual({ fraction: 0, correct: false });
    expect(grade(['a', 'b', 'c', 'd'], allOrNothing)).toEqual({ fraction: 0, correct: false });
    expect(grade([], allOrNothing)).toEqual({ fraction: 0, correct: false });
  });

  it('proportional: right picks over correct count, minus penalty per wrong pick', () => {
    expect(grade(['a', 'b', 'c'], proportional(0.5))).toEqual({ fraction: 1, correct: true });
    expect(grade(['a', 'b'], proportional(0))).toEqual({ fraction: 2 / 3, correct: false });
    expect(grade(['a', 'b', 'd'], proportional(0))).toEqual({ fraction: 2 / 3, correct: false });
    expect(grade(['a', 'b', 'd'], proportional(0.5)).fraction).toBeCloseTo(0.5);
    expect(grade(['a', 'b', 'd'], proportional(1)).fraction).toBeCloseTo(1 / 3);
    expect(grade(['a', 'b', 'c', 'd'], proportional(1)).fraction).toBeCloseTo(2 / 3);
  });

  it('proportional is clamped to [0, 1]', () => {
    expect(grade(['d'], proportional(1))).toEqual({ fraction: 0, correct: false });
    expect(grade(['a', 'd'], proportional(1))).toEqual({ fraction: 0, correct: false });
    expect(grade([], proportional(0))).toEqual({ fraction: 0, correct: false });
  });
});

describe('gradeResponse (raw stored JSON)', () => {
  const q = { type: 'multiple_choice', content: options('a', 'b', 'c'), answerKey: { correct: ['a', 'b'] } };
  it('grades a well-formed response through the type', () => {
    expect(gradeResponse(q, { optionIds: ['b', 'a'] }, allOrNothing)).toEqual({ fraction: 1, correct: true });
    expect(gradeResponse(q, { optionIds: ['a'] }, proportional(0))).toEqual({ fraction: 0.5, correct: false });
  });
  it('gives nothing for no answer, a malformed one or one naming unknown options', () => {
    for (const response of [null, undefined, { optionId: 'a' }, { optionIds: 'a' }, { optionIds: ['a', 'b', 'zz'] }]) {
      expect(gradeResponse(q, response, proportional(0))).toEqual({ fraction: 0, correct: false });
    }
    const t = { type: 'true_false', content: {}, answerKey: { correct: true } };
    expect(gradeResponse(t, { value: 'true' }, allOrNothing)).toEqual({ fraction: 0, correct: false });
    expect(gradeResponse(t, { value: true }, allOrNothing)).toEqual({ fraction: 1, correct: true });
  });
  it('throws when the stored key does not fit its type (a server fault, not a zero)', () => {
    expect(() => gradeResponse({ ...q, answerKey: { correct: 'a' } }, { optionIds: ['a'] }, allOrNothing)).toThrow();
  });
});

describe('checkResponse', () => {
  it('accepts a fitting response and names problems otherwise', () => {
    const q = { type: 'single_choice', content: options('a', 'b') };
    expect(checkResponse(q, { optionId: 'a' })).toEqual({ ok: true, value: { optionId: 'a' } });
    expect(checkResponse(q, { optionId: 'z' })).toEqual({
      ok: false,
      problems: [{ path: ['optionId'], message: "'z' is not an option of this question" }],
    });
    expect(checkResponse(q, {})).toMatchObject({ ok: false, problems: [{ path: ['optionId'] }] });
    const m = { type: 'multiple_choice', content: options('a', 'b') };
    expect(checkResponse(m, { optionIds: ['a', 'q'] })).toMatchObject({
      ok: false,
      problems: [{ path: ['optionIds', 1] }],
    });
    expect(checkResponse(m, { optionIds: ['a', 'a'] })).toMatchObject({ ok: false });
    expect(checkResponse({ type: 'true_false', content: {} }, { value: false })).toEqual({
      ok: true,
      value: { value: false },
    });
  });
});

describe('student view', () => {
  it('drops the key and explanation and applies the option order', () => {
    const view = studentViewOf(
      {
        id: '00000000-0000-4000-8000-000000000001',
        type: 'single_choice',
        prompt: 'P',
        points: 2,
        content: options('a', 'b', 'c'),
      },
      ['c', 'a', 'b'],
    );
    expect(view).toEqual({
      id: '00000000-0000-4000-8000-000000000001',
      type: 'single_choice',
      prompt: 'P',
      points: 2,
      content: {
        options: [
          { id: 'c', text: 'Option c' },
          { id: 'a', text: 'Option a' },
          { id: 'b', text: 'Option b' },
        ],
      },
    });
    expect(trueFalse.studentView({}, null)).toEqual({});
  });

  it('ignores unknown ids in an order and keeps options the order lacks', () => {
    expect(orderOptions(options('a', 'b', 'c').options, ['zz', 'c']).map((o) => o.id)).toEqual(['c', 'a', 'b']);
    expect(orderOptions(options('a', 'b').options, null).map((o) => o.id)).toEqual(['a', 'b']);
  });

  it('optionIds: choice types list theirs, true/false has none to shuffle', () => {
    expect(singleChoice.optionIds(options('a', 'b'))).toEqual(['a', 'b']);
    expect(multipleChoice.optionIds(options('x', 'y', 'z'))).toEqual(['x', 'y', 'z']);
    expect(trueFalse.optionIds({})).toBeNull();
  });
});

describe('pickOrders', () => {
  const ids = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const qs = [
    ...ids.slice(0, 11).map((id) => ({ id, type: 'single_choice', content: options('a', 'b', 'c', 'd', 'e', 'f') })),
    { id: ids[11]!, type: 'true_false', content: {} },
  ];

  it('keeps position order and authored option order with shuffling off', () => {
    const o = pickOrders(qs, { shuffleQuestions: false, shuffleOptions: false });
    expect(o.questionOrder).toEqual(ids);
    expect(o.optionOrder[ids[0]!]).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(o.optionOrder).not.toHaveProperty(ids[11]!);
  });

  it('draws permutations with shuffling on, and they vary', () => {
    const seenQuestionOrders = new Set<string>();
    const seenOptionOrders = new Set<string>();
    for (let run = 0; run < 20; run++) {
      const o = pickOrders(qs, { shuffleQuestions: true, shuffleOptions: true });
      expect([...o.questionOrder].sort()).toEqual([...ids].sort());
      for (const q of qs.slice(0, 11)) expect([...o.optionOrder[q.id]!].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      expect(o.optionOrder).not.toHaveProperty(ids[11]!);
      seenQuestionOrders.add(o.questionOrder.join());
      seenOptionOrders.add(o.optionOrder[ids[0]!]!.join());
    }
    // 12! and 6! orders: 20 draws all alike would mean no shuffling at all.
    expect(seenQuestionOrders.size).toBeGreaterThan(1);
    expect(seenOptionOrders.size).toBeGreaterThan(1);
  });

  it('shuffles questions and options independently', () => {
    const o = pickOrders(qs, { shuffleQuestions: false, shuffleOptions: true });
    expect(o.questionOrder).toEqual(ids);
    const p = pickOrders(qs, { shuffleQuestions: true, shuffleOptions: false });
    expect(p.optionOrder[ids[3]!]).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('shuffle: is a permutation, leaves its input alone, handles 0 and 1 items', () => {
    const input = [1, 2, 3, 4, 5];
    const out = shuffle(input);
    expect(input).toEqual([1, 2, 3, 4, 5]);
    expect([...out].sort()).toEqual(input);
    expect(shuffle([])).toEqual([]);
    expect(shuffle(['x'])).toEqual(['x']);
  });

  it('puts every position first about equally often', () => {
    const firsts = new Map<number, number>();
    for (let i = 0; i < 4000; i++) {
      const first = shuffle([0, 1, 2, 3])[0]!;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    // Expected 1000 each; a biased shuffle (e.g. sort by random) drifts far more than this.
    for (const k of [0, 1, 2, 3]) expect(firsts.get(k)).toBeGreaterThan(850);
  });
});

describe('choiceTally (answer statistics)', () => {
  it('lists options with their mark and reads picks per type; bad responses pick nothing', () => {
    const single = choiceTally({ type: 'single_choice', content: options('a', 'b'), answerKey: { correct: 'b' } })!;
    expect(single.options).toEqual([
      { id: 'a', text: 'Option a', correct: false },
      { id: 'b', text: 'Option b', correct: true },
    ]);
    expect(single.picks({ optionId: 'a' })).toEqual(['a']);
    expect(single.picks({ optionIds: ['a'] })).toEqual([]);
    expect(single.picks(null)).toEqual([]);

    const many = choiceTally({
      type: 'multiple_choice',
      content: options('a', 'b', 'c'),
      answerKey: { correct: ['a', 'c'] },
    })!;
    expect(many.options.map((o) => o.correct)).toEqual([true, false, true]);
    expect(many.picks({ optionIds: ['c', 'b'] })).toEqual(['c', 'b']);

    const tf = choiceTally({ type: 'true_false', content: {}, answerKey: { correct: false } })!;
    expect(tf.options).toEqual([
      { id: 'true', text: 'True', correct: false },
      { id: 'false', text: 'False', correct: true },
    ]);
    expect(tf.picks({ value: false })).toEqual(['false']);
  });
});
