// Moodle's embedded answers (Cloze) text: {1:SHORTANSWER:=Paris~%50%paris} gaps in the prompt.
// Typed and drop-down gaps map to fill_blanks; numeric and multi-response gaps do not.
import type { QuestionInput } from '@exam-hall/protocol';

type FillBlanks = Extract<QuestionInput, { type: 'fill_blanks' }>;

const GAP = /\{(\d*):([A-Z_]+):((?:\\.|[^}\\])*)\}/g;
const TYPED = new Set(['SHORTANSWER', 'SA', 'MW']);
const TYPED_CASE = new Set(['SHORTANSWER_C', 'SAC', 'MWC']);
const DROPDOWN = new Set(['MULTICHOICE', 'MC', 'MULTICHOICE_S', 'MCS']);
const RADIO = new Set([
  'MULTICHOICE_V',
  'MCV',
  'MULTICHOICE_H',
  'MCH',
  'MULTICHOICE_VS',
  'MCVS',
  'MULTICHOICE_HS',
  'MCHS',
]);

interface Answer {
  fraction: number;
  text: string;
  feedback: boolean;
}

/** Splits on unescaped ~ and reads =, %n% and #feedback. */
function answersOf(body: string): Answer[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length) {
      cur += c + body[i + 1];
      i++;
    } else if (c === '~') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts
    .filter((p) => p.trim())
    .map((p) => {
      let fraction = 0;
      let rest = p.trim();
      const pct = /^%(-?\d+(?:\.\d+)?)%/.exec(rest);
      if (rest.startsWith('=')) {
        fraction = 100;
        rest = rest.slice(1);
      } else if (pct) {
        fraction = Number(pct[1]);
        rest = rest.slice(pct[0].length);
      }
      const hash = rest.search(/(?<!\\)#/);
      const feedback = hash >= 0 && rest.slice(hash + 1).trim() !== '';
      if (hash >= 0) rest = rest.slice(0, hash);
      return { fraction, text: rest.replace(/\\(.)/g, '$1').trim(), feedback };
    });
}

export function isCloze(html: string): boolean {
  GAP.lastIndex = 0;
  return GAP.test(html);
}

/** A fill_blanks candidate, or the reason the text cannot be one. */
export function clozeToFillBlanks(
  html: string,
):
  | { prompt: string; content: FillBlanks['content']; answerKey: FillBlanks['answerKey']; warnings: string[] }
  | { problem: string } {
  const gaps: FillBlanks['content']['gaps'] = [];
  const keys: FillBlanks['answerKey']['gaps'] = [];
  const warnings = new Set<string>();
  let problem: string | null = null;
  const prompt = html.replace(GAP, (_whole, _weight: string, kind: string, body: string) => {
    const id = `g${gaps.length + 1}`;
    const answers = answersOf(body);
    if (answers.some((a) => a.feedback)) warnings.add('Feedback on gap answers is not imported');
    if (TYPED.has(kind) || TYPED_CASE.has(kind)) {
      const accepted = answers.filter((a) => a.fraction >= 100).map((a) => a.text);
      if (answers.some((a) => a.fraction > 0 && a.fraction < 100))
        warnings.add('Partly right gap answers (Moodle fractions below 100%) are not accepted here');
      if (accepted.some((a) => a.includes('*'))) warnings.add("Moodle's * wildcard in a gap is taken literally");
      gaps.push({ id });
      keys.push({ gapId: id, accepted, caseSensitive: TYPED_CASE.has(kind) });
    } else if (DROPDOWN.has(kind) || RADIO.has(kind)) {
      if (RADIO.has(kind)) warnings.add('Radio-button gaps become drop-down lists');
      const right = answers.filter((a) => a.fraction >= 100);
      if (right.length !== 1) problem ??= `A ${kind} gap needs exactly one answer marked = (100%)`;
      const options = answers.map((a, i) => ({ id: `${id}o${i + 1}`, text: a.text }));
      gaps.push({ id, options });
      keys.push({
        gapId: id,
        accepted: right.length ? [options[answers.indexOf(right[0]!)]!.id] : [],
        caseSensitive: false,
      });
    } else {
      problem ??= `Cloze ${kind} gaps have no equivalent here`;
    }
    return `[[${id}]]`;
  });
  if (problem) return { problem };
  if (!gaps.length) return { problem: 'The Cloze text has no gaps' };
  return { prompt, content: { gaps }, answerKey: { gaps: keys }, warnings: [...warnings] };
}

const escapeGap = (s: string) => s.replace(/[\\}~#=%{]/g, (c) => `\\${c}`);

/** The reverse: fill_blanks as Moodle Cloze text. */
export function fillBlanksToCloze(q: FillBlanks): string {
  const gaps = new Map(q.content.gaps.map((g) => [g.id, g]));
  const keys = new Map(q.answerKey.gaps.map((k) => [k.gapId, k]));
  return q.prompt.replace(/\[\[([A-Za-z0-9_-]{1,21})\]\]/g, (whole, id: string) => {
    const gap = gaps.get(id);
    const key = keys.get(id);
    if (!gap || !key) return whole;
    if (gap.options) {
      const body = gap.options.map((o) => `${key.accepted.includes(o.id) ? '=' : ''}${escapeGap(o.text)}`).join('~');
      return `{1:MULTICHOICE:${body}}`;
    }
    return `{1:${key.caseSensitive ? 'SHORTANSWER_C' : 'SHORTANSWER'}:${key.accepted.map((a) => `=${escapeGap(a)}`).join('~')}}`;
  });
}
