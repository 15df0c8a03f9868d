// Text as people type it. Every free-text field of every contract is declared with line()
// (one line: names, titles, tags, searches) or text() (tab and line breaks allowed:
// descriptions, prompts, messages), so that what PostgreSQL cannot store (NUL, in text and
// jsonb alike; lone UTF-16 surrogates, in jsonb) and control characters that only garble a
// page or a CSV are refused with a 400 naming the field, before any SQL runs.
import { z } from 'zod';

// C0 controls and DEL. text() lets \t, \n and \r through. Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Why a string cannot be stored as text, or null when it can. */
export function textProblem(value: string, multiline: boolean): string | null {
  if (!value.isWellFormed()) return 'must be valid Unicode (it has a lone surrogate)';
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if ((multiline ? CONTROL_BUT_WHITESPACE : CONTROL).test(value)) {
    return multiline
      ? 'must not contain control characters (tab and line breaks are fine)'
      : 'must not contain control characters or line breaks';
  }
  return null;
}

type StringParams = Parameters<typeof z.string>[0];

const checked = (multiline: boolean, params?: StringParams) =>
  z.string(params).refine((s) => textProblem(s, multiline) === null, {
    error: (issue) => textProblem(String(issue.input), multiline) ?? 'is not valid text',
  });

/** One line of text: no control characters at all. Chain .trim(), .min(), .max() as with z.string(). */
export const line = (params?: StringParams) => checked(false, params);
/** Text that may span lines: tab, \n and \r allowed, other control characters not. */
export const text = (params?: StringParams) => checked(true, params);
