// Exam statistics as pure functions over plain rows, so they can be checked on small
// hand-made datasets without a database.
//
// Classic item analysis: the facility index of a question is the mean share of its
// points earned (an attempt that was given the question and left it unanswered counts
// 0); the discrimination index is the facility among the 27% of attempts with the
// highest total score minus the facility among the 27% with the lowest.
import { DISCRIMINATION_MIN_ATTEMPTS } from '@exam-hall/protocol';

export const DISCRIMINATION_GROUP_SHARE = 0.27;

export interface StatAttempt {
  id: string;
  /** Total score as a percentage, which ranks attempts even when their maximum differs. */
  percentage: number;
  /** The questions this attempt was given. */
  questionIds: readonly string[];
}

export interface StatQuestion {
  id: string;
  points: number;
  /** Choice questions: the option ids to tally, in display order. */
  optionIds: readonly string[] | null;
  /** Typed questions (short answer, numeric, gaps, matching, ordering): count the most common answers. */
  typed?: boolean;
  /** Marked by hand (essays): report the mean hand mark. */
  manual?: boolean;
}

export interface StatAnswer {
  attemptId: string;
  questionId: string;
  /** A saved, non-empty response. */
  answered: boolean;
  pointsAwarded: number | null;
  /** Option ids the response picks (choice questions). */
  picks: readonly string[];
  /** Typed questions: the response as one normalised line; null when empty. */
  text?: string | null;
  /** Hand-marked questions: the mark given (points), null while none is. */
  handMark?: number | null;
  /** Hand-marked questions: the answer waits for a mark (an empty essay does not). */
  awaitingMark?: boolean;
}

export interface QuestionFigures {
  attempts: number;
  answered: number;
  facility: number | null;
  discrimination: number | null;
  /** Option id -> attempts that picked it; null for questions without options. */
  optionCounts: Map<string, number> | null;
  /** Typed questions: the most common answers, most frequent first; null for other types. */
  topAnswers: TopAnswer[] | null;
  /** Hand-marked questions: how many are marked, how many wait, the mean mark; null for other types. */
  handMarks: HandMarks | null;
}

export interface TopAnswer {
  text: string;
  count: number;
  /** Every answer counted here earned full marks. */
  correct: boolean;
}

export interface HandMarks {
  marked: number;
  pending: number;
  /** Mean mark in points over the marked answers, 2 places; null when none is marked. */
  mean: number | null;
}

/** How many distinct answers a typed question reports. */
export const TOP_ANSWERS = 10;

function topAnswersOf(groups: Map<string, { count: number; correct: boolean }>): TopAnswer[] {
  return [...groups]
    .map(([text, g]) => ({ text, count: g.count, correct: g.correct }))
    .sort((a, b) => b.count - a.count || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .slice(0, TOP_ANSWERS);
}

export interface ItemAnalysis {
  gradedAttempts: number;
  discriminationAvailable: boolean;
  groupSize: number;
  reason: string | null;
  questions: Map<string, QuestionFigures>;
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/** Best first; ties broken by id so the groups do not depend on row order. */
function ranked(attempts: readonly StatAttempt[]): StatAttempt[] {
  return [...attempts].sort((a, b) => b.percentage - a.percentage || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Mean earned fraction of a question over the attempts in `group` that were given it; null if none was. */
function facilityOf(
  q: StatQuestion,
  group: readonly StatAttempt[],
  given: Map<string, Set<string>>, // attemptId -> question ids
  earned: Map<string, number>, // `${attemptId}:${questionId}` -> fraction
): number | null {
  let n = 0;
  let sum = 0;
  for (const a of group) {
    if (!given.get(a.id)!.has(q.id)) continue;
    n++;
    sum += earned.get(`${a.id}:${q.id}`) ?? 0;
  }
  return n ? sum / n : null;
}

export function itemAnalysis(
  questions: readonly StatQuestion[],
  attempts: readonly StatAttempt[],
  answers: readonly StatAnswer[],
): ItemAnalysis {
  const pointsOf = new Map(questions.map((q) => [q.id, q.points]));
  const given = new Map(attempts.map((a) => [a.id, new Set(a.questionIds)]));
  const earned = new Map<string, number>();
  const answered = new Map<string, number>();
  const picks = new Map<string, Map<string, number>>();
  for (const q of questions) if (q.optionIds) picks.set(q.id, new Map(q.optionIds.map((id) => [id, 0])));
  const typed = new Map<string, Map<string, { count: number; correct: boolean }>>();
  const marks = new Map<string, { marks: number[]; pending: number }>();
  for (const q of questions) {
    if (q.typed) typed.set(q.id, new Map());
    if (q.manual) marks.set(q.id, { marks: [], pending: 0 });
  }

  for (const ans of answers) {
    const points = pointsOf.get(ans.questionId);
    if (points === undefined || !given.has(ans.attemptId) || !ans.answered) continue;
    answered.set(ans.questionId, (answered.get(ans.questionId) ?? 0) + 1);
    // Clamped: a question's points may have been edited after grading.
    const fraction = points > 0 ? Math.min(1, Math.max(0, (ans.pointsAwarded ?? 0) / points)) : 0;
    earned.set(`${ans.attemptId}:${ans.questionId}`, fraction);
    const tally = picks.get(ans.questionId);
    if (tally) for (const id of new Set(ans.picks)) if (tally.has(id)) tally.set(id, tally.get(id)! + 1);
    const groups = typed.get(ans.questionId);
    if (groups && ans.text) {
      const g = groups.get(ans.text) ?? { count: 0, correct: true };
      groups.set(ans.text, { count: g.count + 1, correct: g.correct && fraction === 1 });
    }
    const hand = marks.get(ans.questionId);
    if (hand) {
      if (ans.handMark !== null && ans.handMark !== undefined) hand.marks.push(ans.handMark);
      else if (ans.awaitingMark) hand.pending++;
    }
  }

  const n = attempts.length;
  const available = n >= DISCRIMINATION_MIN_ATTEMPTS;
  const groupSize = available ? Math.max(1, Math.round(n * DISCRIMINATION_GROUP_SHARE)) : 0;
  const order = ranked(attempts);
  const upper = order.slice(0, groupSize);
  const lower = order.slice(n - groupSize);

  const figures = new Map<string, QuestionFigures>();
  for (const q of questions) {
    const facility = facilityOf(q, attempts, given, earned);
    let discrimination: number | null = null;
    if (available) {
      const hi = facilityOf(q, upper, given, earned);
      const lo = facilityOf(q, lower, given, earned);
      if (hi !== null && lo !== null) discrimination = round(hi - lo, 4);
    }
    figures.set(q.id, {
      attempts: attempts.filter((a) => given.get(a.id)!.has(q.id)).length,
      answered: answered.get(q.id) ?? 0,
      facility: facility === null ? null : round(facility, 4),
      discrimination,
      optionCounts: picks.get(q.id) ?? null,
      topAnswers: typed.has(q.id) ? topAnswersOf(typed.get(q.id)!) : null,
      handMarks: handMarksOf(marks.get(q.id)),
    });
  }

  return {
    gradedAttempts: n,
    discriminationAvailable: available,
    groupSize,
    reason: available
      ? null
      : `Discrimination needs at least ${DISCRIMINATION_MIN_ATTEMPTS} graded attempts to compare the top and bottom 27%; there ${n === 1 ? 'is' : 'are'} ${n}.`,
    questions: figures,
  };
}

function handMarksOf(m: { marks: number[]; pending: number } | undefined): HandMarks | null {
  if (!m) return null;
  const avg = mean(m.marks);
  return { marked: m.marks.length, pending: m.pending, mean: avg === null ? null : round(avg, 2) };
}

export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export interface SummaryFigures {
  graded: number;
  passedCount: number;
  passRate: number | null;
  meanScore: number | null;
  medianScore: number | null;
  meanPercentage: number | null;
  medianPercentage: number | null;
}

/** Figures over graded attempts only; rounded to 2 places (pass rate to 4, it is a share). */
export function summarize(graded: readonly { score: number; percentage: number; passed: boolean }[]): SummaryFigures {
  const r2 = (n: number | null) => (n === null ? null : round(n, 2));
  const passedCount = graded.filter((g) => g.passed).length;
  return {
    graded: graded.length,
    passedCount,
    passRate: graded.length ? round(passedCount / graded.length, 4) : null,
    meanScore: r2(mean(graded.map((g) => g.score))),
    medianScore: r2(median(graded.map((g) => g.score))),
    meanPercentage: r2(mean(graded.map((g) => g.percentage))),
    medianPercentage: r2(median(graded.map((g) => g.percentage))),
  };
}
