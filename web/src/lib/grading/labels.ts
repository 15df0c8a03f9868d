// Words for the grading pages: a question type's name and a prompt as one short line.
import type { QuestionTypeName } from '@exam-hall/protocol';
import { typeLabels } from '#lib/components/question-types.ts';
import { plainText } from '#lib/questions/rich.ts';

export function typeName(type: string): string {
  return Object.hasOwn(typeLabels, type) ? typeLabels[type as QuestionTypeName] : type.replaceAll('_', ' ');
}

/** The prompt's words without markup, cut to `max` characters. */
export function promptText(prompt: string, max = 140): string {
  const text = plainText(prompt);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Points as typed in a number field ("" while empty), rounded to cents. */
export function parsePoints(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(String(value).replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}
