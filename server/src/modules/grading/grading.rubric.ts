// An essay's rubric marks: each names a criterion of the question's rubric, gives at most
// its points, and together they give at most what the question is worth.
import type { Question } from '../../db/schema/index.ts';
import { badRequest } from '../../http/errors.ts';
import { getQuestionType } from '../questions/types/index.ts';

const cents = (n: number) => Math.round(n * 100) / 100;

export function checkRubric(q: Question, worth: number, marks: Record<string, number>): void {
  const fail = (path: string, message: string) => {
    throw badRequest(message, [{ path, message }]);
  };
  if (q.type !== 'essay') fail('body.rubricMarks', 'Only essays are marked against a rubric');
  const key = getQuestionType(q.type).answerKeySchema.safeParse(q.answerKey);
  const rubric = key.success ? ((key.data as { rubric?: { id: string; points: number }[] }).rubric ?? []) : [];
  if (!rubric.length) fail('body.rubricMarks', 'This essay has no rubric: give points only');
  const byId = new Map(rubric.map((c) => [c.id, c]));
  let sum = 0;
  for (const [id, points] of Object.entries(marks)) {
    const criterion = byId.get(id);
    if (!criterion) fail(`body.rubricMarks.${id}`, `No rubric criterion '${id}' in this essay`);
    if (points > criterion!.points) {
      fail(`body.rubricMarks.${id}`, `At most ${criterion!.points} points for this criterion`);
    }
    sum += points;
  }
  sum = cents(sum);
  if (sum > worth) {
    fail('body.rubricMarks', `Rubric marks add up to ${sum}, more than the ${worth} points the question is worth`);
  }
}
