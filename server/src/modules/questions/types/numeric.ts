// A number, optionally with a unit; any accepted value within its tolerance earns that value's fraction.
import {
  numericContentSchema,
  numericKeySchema,
  numericResponseSchema,
  type NumericContent,
  type NumericKey,
  type NumericResponse,
} from '@exam-hall/protocol';
import type { QuestionType } from './question-type.ts';

/**
 * Floating-point slack, relative to the numbers compared: 0.1 + 0.2 is within 0 of 0.3 and an
 * answer exactly at ± tolerance counts, while 1e9 + 1 is not 1e9 and 1.0001e-15 is not 1e-15.
 */
const EPSILON = 1e-12;

function close(a: number, b: number, tolerance: number): boolean {
  const slack = EPSILON * Math.max(Math.abs(a), Math.abs(b), tolerance);
  return Math.abs(a - b) <= tolerance + slack;
}

/** The answer in the key's unit, or null when its unit is unknown or missing but required. */
export function valueInKeyUnit(content: NumericContent, response: NumericResponse): number | null {
  const unitName = response.unit?.trim();
  if (!content.units.length) return unitName ? null : response.value;
  if (!unitName) return content.unitRequired ? null : response.value / content.units[0]!.multiplier;
  const unit = content.units.find((u) => u.unit === unitName);
  return unit ? response.value / unit.multiplier : null;
}

/** The best fraction any accepted value gives the answer. */
export function numericFraction(content: NumericContent, key: NumericKey, response: NumericResponse): number {
  const value = valueInKeyUnit(content, response);
  if (value === null || !Number.isFinite(value)) return 0;
  let best = 0;
  for (const a of key.answers) if (close(value, a.value, a.tolerance)) best = Math.max(best, a.fraction);
  return best;
}

export const numeric: QuestionType<NumericContent, NumericKey, NumericResponse> = {
  type: 'numeric',
  contentSchema: numericContentSchema,
  answerKeySchema: numericKeySchema,
  responseSchema: numericResponseSchema,
  validate: () => [],
  responseProblems: (content, response) => {
    const unit = response.unit?.trim();
    if (!unit) return [];
    if (!content.units.length) return [{ path: ['unit'], message: 'This question takes a bare number, no unit' }];
    return content.units.some((u) => u.unit === unit)
      ? []
      : [{ path: ['unit'], message: `'${unit}' is not one of this question's units` }];
  },
  studentView: (content) => ({ units: content.units.map((u) => ({ ...u })), unitRequired: content.unitRequired }),
  optionIds: () => null,
  grade: (content, key, response) => {
    const fraction = numericFraction(content, key, response);
    return { fraction, correct: fraction === 1 };
  },
  choices: () => null,
  picks: () => [],
  answerText: (content, _key, response) => {
    const value = valueInKeyUnit(content, response);
    if (value === null) return `${response.value} ${response.unit?.trim() ?? ''}`.trim();
    const unit = content.units[0]?.unit;
    return unit ? `${+value.toPrecision(12)} ${unit}` : String(+value.toPrecision(12));
  },
};
