// Teachers' regular expressions for short answers. Two guards against catastrophic
// backtracking: on save a pattern is refused when a repeated group itself repeats or holds
// alternatives ((a+)+, (a|aa)*: the shapes that backtrack exponentially); on grading the
// match runs under a time limit, so a pattern stored before these checks cannot stall a worker.
import vm from 'node:vm';

/** Grading gives a pattern this long per answer before counting it as not matched. */
export const MATCH_TIME_LIMIT_MS = 50;

interface Frame {
  /** A repeating quantifier applies somewhere inside. */
  repeats: boolean;
  /** Holds a top-level |. */
  alternates: boolean;
}

/** Length of the quantifier at `i` and whether it repeats (more than once), or null when none is there. */
function quantifierAt(p: string, i: number): { length: number; repeats: boolean } | null {
  const c = p[i];
  if (c === '*' || c === '+') return { length: 1, repeats: true };
  if (c === '?') return { length: 1, repeats: false };
  if (c !== '{') return null;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
  if (!m) return null;
  const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
  return { length: m[0].length, repeats: max > 1 };
}

/** Skips an escape (\d, \p{L}, \u{1F600}, \k<name>) starting at `i`; returns the index after it. */
function skipEscape(p: string, i: number): number {
  const next = p[i + 1];
  if ((next === 'p' || next === 'P' || next === 'u') && p[i + 2] === '{') return p.indexOf('}', i) + 1 || p.length;
  if (next === 'k' && p[i + 2] === '<') return p.indexOf('>', i) + 1 || p.length;
  return i + 2;
}

/** Why the pattern could backtrack catastrophically, or null. Expects a pattern that compiles with 'u'. */
function backtrackingProblem(p: string): string | null {
  const stack: Frame[] = [{ repeats: false, alternates: false }];
  /** The atom a following quantifier applies to: a closed group's frame, or null for a single character. */
  let last: Frame | null = null;
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      i = skipEscape(p, i);
      last = null;
    } else if (c === '[') {
      i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
      i++;
      last = null;
    } else if (c === '(') {
      stack.push({ repeats: false, alternates: false });
      i++;
      const head = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(p.slice(i));
      if (head) i += head[0].length;
      last = null;
    } else if (c === ')') {
      const frame = stack.length > 1 ? stack.pop()! : { repeats: false, alternates: false };
      if (frame.repeats) stack.at(-1)!.repeats = true;
      last = frame;
      i++;
    } else if (c === '|') {
      stack.at(-1)!.alternates = true;
      last = null;
      i++;
    } else {
      const q = quantifierAt(p, i);
      if (!q) {
        last = null;
        i++;
        continue;
      }
      if (q.repeats && last?.repeats)
        return 'pattern repeats a group that already repeats (like (a+)+), which can hang the grading';
      if (q.repeats && last?.alternates)
        return 'pattern repeats a group of alternatives (like (a|ab)*), which can hang the grading; list the answers instead';
      if (q.repeats) stack.at(-1)!.repeats = true;
      i += q.length;
      if (p[i] === '?') i++; // lazy
      last = null;
    }
  }
  return null;
}

/** Why a pattern cannot be saved, or null when it is fine. */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'pattern is not a valid regular expression';
  }
  return backtrackingProblem(pattern);
}

/** The pattern anchored to the whole answer; null if it does not compile (a row saved before the checks). */
export function wholeAnswerPattern(pattern: string, caseSensitive: boolean): RegExp | null {
  try {
    return new RegExp(`^(?:${pattern})$`, caseSensitive ? 'u' : 'iu');
  } catch {
    return null;
  }
}

const sandbox = vm.createContext({ re: /$^/, input: '' });
const testScript = new vm.Script('re.test(input)');

/** re.test(input) within `limitMs`, or 'timeout' (the match is stopped, not left running). */
function runWithin(re: RegExp, input: string, limitMs: number): boolean | 'timeout' {
  sandbox.re = re;
  sandbox.input = input;
  try {
    return testScript.runInContext(sandbox, { timeout: limitMs }) === true;
  } catch (e) {
    return (e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' ? 'timeout' : false;
  } finally {
    sandbox.re = /$^/;
    sandbox.input = '';
  }
}

/**
 * re.test(input), or false when it takes longer than `limitMs`. The limit is wall time, so a
 * pause of the whole process (garbage collection, a machine busy with other work) counts
 * against it too: a match that times out gets one more try with four times the limit before
 * the answer counts as not matched. A pattern that really backtracks times out twice.
 */
export function testWithin(re: RegExp, input: string, limitMs = MATCH_TIME_LIMIT_MS): boolean {
  const first = runWithin(re, input, limitMs);
  if (first !== 'timeout') return first;
  return runWithin(re, input, limitMs * 4) === true;
}
