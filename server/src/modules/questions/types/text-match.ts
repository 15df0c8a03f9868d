// Comparing typed answers: Unicode-normalised (NFC), a white-space rule, and a case rule
// that does not depend on the server's locale.
import type { WhitespaceRule } from '@exam-hall/protocol';

/** Longest typed answer compared (the response schema caps it too): bounds the work per answer. */
export const MAX_COMPARED = 1000;

export function applyWhitespace(s: string, rule: WhitespaceRule): string {
  if (rule === 'exact') return s;
  const trimmed = s.trim();
  return rule === 'trim' ? trimmed : trimmed.replace(/\s+/gu, ' ');
}

/**
 * Locale-free case folding: upper then lower case (ß -> ss, ı -> i), NFC, and a dotted
 * capital İ folds to a plain i so "İstanbul", "ISTANBUL" and "istanbul" are one answer.
 */
export function foldCase(s: string): string {
  return s
    .normalize('NFC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFD')
    .replace(/i\u0307/gu, 'i')
    .normalize('NFC');
}

/** The form two answers are compared in. */
export function normaliseAnswer(s: string, opts: { caseSensitive: boolean; whitespace: WhitespaceRule }): string {
  const spaced = applyWhitespace(s.slice(0, MAX_COMPARED).normalize('NFC'), opts.whitespace);
  return opts.caseSensitive ? spaced : foldCase(spaced);
}
