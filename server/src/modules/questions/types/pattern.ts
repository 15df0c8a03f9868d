// Teachers' regular expressions for short answers: refused on save when they could backtrack
// catastrophically, always matched against the whole (length-capped) answer.

/** Why a pattern cannot be saved, or null when it is fine. */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'pattern is not a valid regular expression';
  }
  return null;
}

/** The pattern anchored to the whole answer; null if it does not compile (a row saved before the checks). */
export function wholeAnswerPattern(pattern: string, caseSensitive: boolean): RegExp | null {
  if (patternProblem(pattern)) return null;
  return new RegExp(`^(?:${pattern})$`, caseSensitive ? 'u' : 'iu');
}
