// Editors name each input by the error key the input schema reports for it
// (answerKey.accepted.0 -> id prefix + "answerKey-accepted-0"), so a problem lands on its input.
import { fieldId } from '#lib/fields.ts';

/** id, aria-invalid and aria-describedby of the input for `key`. */
export function control(prefix: string, errors: Record<string, string>, key: string, hint = '') {
  const id = prefix + fieldId(key);
  return {
    id,
    'aria-invalid': errors[key] ? ('true' as const) : undefined,
    'aria-describedby': [hint, errors[key] ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined,
  };
}

/** Moves list[i] by one place (Move up / Move down in editors). */
export function swap<T>(list: T[], i: number, by: -1 | 1): boolean {
  const j = i + by;
  if (j < 0 || j >= list.length) return false;
  [list[i], list[j]] = [list[j]!, list[i]!];
  return true;
}

/** A short random id for new options, stems, items and rubric rows. */
export const newId = () => Math.random().toString(36).slice(2, 10);
