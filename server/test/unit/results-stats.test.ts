import { describe, expect, it } from 'vitest';
import { itemAnalysis, mean, median, summarize, type StatAnswer } from '../../src/modules/results/results.stats.ts';

/** Ten attempts a0..a9 scoring 100%, 90%, ..., 10%. */
const attempts = Array.from({ length: 10 }, (_, i) => ({
  id: `a${i}`,
  percentage: 100 - 10 * i,
  // a1 was not given q2 (a question added after it started, say).
  questionIds: i === 1 ? ['q1'] : ['q1', 'q2'],
}));
const questions = [
  { id: 'q1', points: 1, optionIds: ['a', 'b', 'c'] },
  { id: 'q2', points: 2, optionIds: null },
];

function dataset(): StatAnswer[] {
  const out: StatAnswer[] = [];
  // q1: a0..a4 right ('a'), a5..a7 wrong ('b'), a8 cleared its answer, a9 never answered.
  for (let i = 0; i < 8; i++) {
    const right = i < 5;
    out.push({
      attemptId: `a${i}`,
      questionId: 'q1',
      answered: true,
      pointsAwarded: right ? 1 : 0,
      picks: [right ? 'a' : 'b'],
    });
  }
  out.push({ attemptId: 'a8', questionId: 'q1', answered: false, pointsAwarded: null, picks: [] });
  // q2 (2 points): a0 half, a9 full; nobody else answered.
  out.push({ attemptId: 'a0', questionId: 'q2', answered: true, pointsAwarded: 1, picks: [] });
  out.push({ attemptId: 'a9', questionId: 'q2', answered: true, pointsAwarded: 2, picks: [] });
  return out;
}

describe('itemAnalysis', () => {
  it('computes facility, discrimination and option counts on a known dataset', () => {
    const r = itemAnalysis(questions, attempts, dataset());
    expect(r).toMatchObject({ gradedAttempts: 10, discriminationAvailable: true, groupSize: 3, reason: null });
    const q1 = r.questions.get('q1')!;
    expect(q1).toMatchObject({ attempts: 10, answered: 8, facility: 0.5 });
    // Upper 3 (a0..a2) all right, lower 3 (a7..a9) none: 1 - 0.
    expect(q1.discrimination).toBe(1);
    expect(Object.fromEntries(q1.optionCounts!)).toEqual({ a: 5, b: 3, c: 0 });

    const q2 = r.questions.get('q2')!;
    // Nine attempts were given q2; unanswered count 0: (0.5 + 1) / 9.
    expect(q2).toMatchObject({ attempts: 9, answered: 2, facility: 0.1667, optionCounts: null });
    // Upper group given q2: a0 (0.5), a2 (0) -> 0.25; lower a7, a8, a9 -> 1/3; 0.25 - 0.3333.
    expect(q2.discrimination).toBeCloseTo(-0.0833, 4);
  });

  it('gives no discrimination below 10 graded attempts, and says why', () => {
    const few = attempts.slice(0, 9);
    const r = itemAnalysis(questions, few, dataset());
    expect(r.discriminationAvailable).toBe(false);
    expect(r.groupSize).toBe(0);
    expect(r.reason).toMatch(/at least 10 graded attempts.*there are 9/);
    expect(r.questions.get('q1')!.discrimination).toBeNull();
    // Facility still counts: a0..a4 right of nine.
    expect(r.questions.get('q1')!.facility).toBeCloseTo(5 / 9, 4);
  });

  it('ignores answers of attempts outside the set, counts a multiple pick once per option, and clamps points', () => {
    const r = itemAnalysis(
      [{ id: 'q', points: 2, optionIds: ['x', 'y'] }],
      [{ id: 'only', percentage: 50, questionIds: ['q'] }],
      [
        { attemptId: 'only', questionId: 'q', answered: true, pointsAwarded: 5, picks: ['x', 'y', 'x', 'zz'] },
        { attemptId: 'other', questionId: 'q', answered: true, pointsAwarded: 2, picks: ['x'] },
      ],
    );
    const q = r.questions.get('q')!;
    expect(q.facility).toBe(1);
    expect(q.answered).toBe(1);
    expect(Object.fromEntries(q.optionCounts!)).toEqual({ x: 1, y: 1 });
  });

  it('has null facility for a question no attempt was given, and no attempts at all is fine', () => {
    const r = itemAnalysis([{ id: 'new', points: 1, optionIds: null }], [], []);
    expect(r.questions.get('new')).toMatchObject({ attempts: 0, answered: 0, facility: null, discrimination: null });
    expect(r.reason).toMatch(/there are 0/);
  });

  it('breaks score ties by attempt id, so the groups do not depend on row order', () => {
    const tied = Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, percentage: 50, questionIds: ['q1'] }));
    const answers: StatAnswer[] = [{ attemptId: 't0', questionId: 'q1', answered: true, pointsAwarded: 1, picks: [] }];
    const a = itemAnalysis(questions.slice(0, 1), tied, answers);
    const b = itemAnalysis(questions.slice(0, 1), [...tied].reverse(), answers);
    expect(a.questions.get('q1')!.discrimination).toBe(b.questions.get('q1')!.discrimination);
  });
});

describe('summary figures', () => {
  it('mean and median, odd and even', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(mean([1, 2, 4])).toBeCloseTo(7 / 3);
    expect(mean([])).toBeNull();
  });

  it('summarizes graded attempts', () => {
    expect(
      summarize([
        { score: 4, percentage: 100, passed: true },
        { score: 2, percentage: 50, passed: true },
        { score: 1, percentage: 25, passed: false },
      ]),
    ).toEqual({
      graded: 3,
      passedCount: 2,
      passRate: 0.6667,
      meanScore: 2.33,
      medianScore: 2,
      meanPercentage: 58.33,
      medianPercentage: 50,
    });
    expect(summarize([])).toMatchObject({ graded: 0, passRate: null, meanScore: null, medianPercentage: null });
  });
});
