// Questions as the hall sends them (content is loosely typed on the wire), narrowed
// to the types this page can render, and what counts as answered.
import { studentQuestionSchema, type AttemptSnapshot, type StudentQuestion } from '@exam-hall/protocol';
import { describeTypedKey, describeTypedResponse } from '#lib/questions/describe.ts';

/** A question of a type this page does not know yet: shown as such, never silently dropped. */
export interface UnknownQuestion {
  id: string;
  type: 'unknown';
  wireType: string;
  prompt: string;
  points: number;
}
export type ExamQuestion = StudentQuestion | UnknownQuestion;

export function toExamQuestions(questions: AttemptSnapshot['questions']): ExamQuestion[] {
  return questions.map((q) => {
    const parsed = studentQuestionSchema.safeParse(q);
    return parsed.success
      ? parsed.data
      : { id: q.id, type: 'unknown', wireType: q.type, prompt: q.prompt, points: q.points };
  });
}

/** The server counts any non-null response; an empty multiple choice is sent as null, so both agree. */
export function isAnswered(response: unknown): boolean {
  if (response === null || response === undefined) return false;
  if (typeof response === 'object' && 'optionIds' in response) {
    return Array.isArray(response.optionIds) && response.optionIds.length > 0;
  }
  return true;
}

export function pointsLabel(points: number): string {
  return points === 1 ? '1 point' : `${points} points`;
}

/** The text of the options a response or an answer key names, in the order the student saw them. */
function optionTexts(content: Record<string, unknown>, ids: readonly unknown[]): string {
  const options = Array.isArray(content.options) ? (content.options as { id?: unknown; text?: unknown }[]) : [];
  const chosen = options.filter((o) => ids.includes(o.id)).map((o) => String(o.text));
  return chosen.length ? chosen.join(', ') : '—';
}

/** A student's response in words, for the result review. */
export function describeResponse(type: string, content: Record<string, unknown>, response: unknown): string {
  if (!isAnswered(response) || typeof response !== 'object' || response === null) return 'Not answered';
  const typed = describeTypedResponse(type, content, response);
  if (typed !== null) return typed;
  const r = response as Record<string, unknown>;
  if (type === 'true_false') return r.value === true ? 'True' : 'False';
  if (type === 'multiple_choice') return optionTexts(content, Array.isArray(r.optionIds) ? r.optionIds : []);
  return optionTexts(content, [r.optionId]);
}

/** An answer key in words (`{ correct }` for every choice type; the others in describe.ts). */
export function describeKey(type: string, content: Record<string, unknown>, key: unknown): string {
  const typed = describeTypedKey(type, content, key);
  if (typed !== null) return typed;
  const correct = typeof key === 'object' && key !== null ? (key as Record<string, unknown>).correct : undefined;
  if (type === 'true_false') return correct === true ? 'True' : correct === false ? 'False' : '—';
  return optionTexts(content, Array.isArray(correct) ? correct : [correct]);
}
