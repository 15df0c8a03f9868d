// GIFT (docs.moodle.org/en/GIFT_format) to questions with gift-pegjs. Each question is parsed
// on its own, so one unreadable question is skipped with the parser's message instead of
// failing the file.
import { parse, type GIFTQuestion, type NumericalFormat, type TextChoice, type TextFormat } from 'gift-pegjs';
import {
  MAX_GIFT_QUESTION_CHARS,
  ReportBuilder,
  UnreadableFile,
  plainText,
  refuseIfTooMany,
  tagFromCategory,
  withTag,
  type ParsedFile,
} from './report.ts';

const BLANK = '_____';

function fromFormat(t: TextFormat | null | undefined, warnings: string[]): string {
  if (!t) return '';
  if (t.format === 'markdown' && !warnings.includes(MARKDOWN)) warnings.push(MARKDOWN);
  return t.text.trim();
}
const MARKDOWN = 'Markdown text is kept as typed, not converted';
const FEEDBACK = 'Feedback on answers is ignored';

function gift(
  q: Exclude<GIFTQuestion, { type: 'Category' | 'Description' }>,
  warnings: string[],
): Record<string, unknown> | { problem: string } {
  const stem = fromFormat(q.stem, warnings);
  const embedded = q.hasEmbeddedAnswers;
  const gapPrompt = () => stem.replace(BLANK, '[[g1]]');
  if ('choices' in q && Array.isArray(q.choices) && q.choices.some((c) => c.feedback)) warnings.push(FEEDBACK);
  switch (q.type) {
    case 'TF':
      if (q.trueFeedback || q.falseFeedback) warnings.push(FEEDBACK);
      return { type: 'true_false', prompt: stem, content: {}, answerKey: { correct: q.isTrue } };
    case 'Essay':
      return { type: 'essay', prompt: stem, content: {}, answerKey: { rubric: [] } };
    case 'MC':
      return embedded ? dropdownGap(gapPrompt(), q.choices, warnings) : choice(stem, q.choices, warnings);
    case 'Short': {
      const accepted = q.choices
        .filter((c) => c.isCorrect && (c.weight === null || c.weight >= 100))
        .map((c) => c.text.text.trim());
      if (q.choices.some((c) => c.weight !== null && c.weight > 0 && c.weight < 100))
        warnings.push('Partly right answers (weights below 100%) are not accepted here');
      if (!accepted.length) return { problem: 'No answer is marked right (=)' };
      return embedded
        ? {
            type: 'fill_blanks',
            prompt: gapPrompt(),
            content: { gaps: [{ id: 'g1' }] },
            answerKey: { gaps: [{ gapId: 'g1', accepted, caseSensitive: false }] },
          }
        : {
            type: 'short_answer',
            prompt: stem,
            content: {},
            answerKey: { accepted, caseSensitive: false, whitespace: 'collapse' },
          };
    }
    case 'Numerical': {
      if (embedded) warnings.push('The answer box goes after the text, not inside it');
      const list = Array.isArray(q.choices)
        ? q.choices
        : [{ isCorrect: true, weight: null, text: q.choices, feedback: null }];
      const answers = list
        .filter((c) => c.isCorrect || (c.weight ?? 0) > 0)
        .map((c) => ({ ...valueOf(c.text, warnings), fraction: c.weight === null ? 1 : Math.min(1, c.weight / 100) }));
      if (!answers.length) return { problem: 'No answer is marked right' };
      return {
        type: 'numeric',
        prompt: embedded ? stem.replace(BLANK, '___') : stem,
        content: { units: [], unitRequired: false },
        answerKey: { answers },
      };
    }
    case 'Matching': {
      const texts: string[] = [];
      for (const p of q.matchPairs) if (!texts.includes(p.subanswer.trim())) texts.push(p.subanswer.trim());
      const choices = texts.map((text, i) => ({ id: `c${i + 1}`, text }));
      const stems = q.matchPairs
        .filter((p) => p.subquestion.text.trim())
        .map((p, i) => ({ id: `s${i + 1}`, text: p.subquestion.text.trim(), answer: p.subanswer.trim() }));
      return {
        type: 'matching',
        prompt: stem,
        content: { stems: stems.map(({ id, text }) => ({ id, text })), choices },
        answerKey: { pairs: stems.map((s) => ({ stemId: s.id, choiceId: `c${texts.indexOf(s.answer) + 1}` })) },
      };
    }
  }
}

/** Decimal noise of binary floats off: (3.141 + 3.142) / 2 is 3.1415, not 3.1414999999999997. */
const tidy = (n: number) => Number(n.toPrecision(12));

function valueOf(n: NumericalFormat, warnings: string[]) {
  if (n.type === 'high-low') {
    const hi = n.numberHigh ?? 0;
    const lo = n.numberLow ?? 0;
    warnings.push(`GIFT numeric range ${lo}..${hi} mapped to ${tidy((hi + lo) / 2)} ± ${tidy(Math.abs(hi - lo) / 2)}`);
    return { value: tidy((hi + lo) / 2), tolerance: tidy(Math.abs(hi - lo) / 2) };
  }
  return { value: n.number ?? NaN, tolerance: Math.abs(n.range ?? 0) };
}

function choice(prompt: string, choices: TextChoice[], warnings: string[]) {
  const options = choices.map((c, i) => ({ id: `o${i + 1}`, text: c.text.text.trim() }));
  const marked = choices.flatMap((c, i) => (c.isCorrect ? [options[i]!.id] : []));
  if (marked.length === 1)
    return { type: 'single_choice', prompt, content: { options }, answerKey: { correct: marked[0] } };
  const positive = choices.flatMap((c, i) => (c.isCorrect || (c.weight ?? 0) > 0 ? [options[i]!.id] : []));
  if (!positive.length) return { problem: 'No answer is marked right (= or a positive %weight%)' };
  const share = 100 / positive.length;
  if (choices.some((c) => c.weight !== null && (c.weight < 0 || (c.weight > 0 && Math.abs(c.weight - share) > 0.01))))
    warnings.push(
      "GIFT weights are not kept: the options with a positive weight are the correct ones, graded by this app's rule",
    );
  return { type: 'multiple_choice', prompt, content: { options }, answerKey: { correct: positive } };
}

function dropdownGap(prompt: string, choices: TextChoice[], warnings: string[]) {
  const options = choices.map((c, i) => ({ id: `g1o${i + 1}`, text: c.text.text.trim() }));
  const right = choices.flatMap((c, i) => (c.isCorrect ? [options[i]!.id] : []));
  if (right.length !== 1) return { problem: 'A missing-word question needs exactly one answer marked =' };
  if (choices.some((c) => c.weight !== null)) warnings.push('GIFT weights are not kept in a missing-word gap');
  return {
    type: 'fill_blanks',
    prompt,
    content: { gaps: [{ id: 'g1', options }] },
    answerKey: { gaps: [{ gapId: 'g1', accepted: right, caseSensitive: false }] },
  };
}

/** Blocks separated by blank lines, with the line each starts on. */
function blocks(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let cur: string[] = [];
  let start = 1;
  lines.forEach((l, i) => {
    if (l.trim() === '') {
      if (cur.length) out.push({ text: cur.join('\n'), line: start });
      cur = [];
    } else {
      if (!cur.length) start = i + 1;
      cur.push(l);
    }
  });
  if (cur.length) out.push({ text: cur.join('\n'), line: start });
  return out;
}

const nameOf = (q: { title: string | null; stem: TextFormat }) => q.title?.trim() || q.stem.text;
const KINDS: Record<string, string> = {
  MC: 'multiple choice',
  TF: 'true/false',
  Short: 'short answer',
  Numerical: 'numerical',
  Essay: 'essay',
  Matching: 'matching',
};

export function parseGift(text: string): ParsedFile {
  const out = new ReportBuilder('gift');
  let category: string | null = null;
  let sawAny = false;
  const all = blocks(text).filter((b) => !b.text.split('\n').every((l) => l.trim().startsWith('//')));
  // Comments alone (a file's header) are not a question; gift-pegjs refuses them.
  refuseIfTooMany(all.length);
  for (const block of all) {
    if (block.text.length > MAX_GIFT_QUESTION_CHARS) {
      out.skip(
        plainText(block.text.slice(0, 200)),
        'unreadable',
        `The question starting on line ${block.line} is ${Math.round(block.text.length / 1024)} KB long; at most ${MAX_GIFT_QUESTION_CHARS / 1024} KB (is a blank line missing between questions?)`,
      );
      continue;
    }
    let parsed: GIFTQuestion[];
    try {
      parsed = parse(block.text);
    } catch (err) {
      const where = (err as { location?: { start?: { line?: number } } }).location?.start?.line;
      const line = block.line + (where ? where - 1 : 0);
      const first = plainText(block.text.replace(/^(\s*\/\/.*\n)+/, '')).slice(0, 80);
      out.skip(
        first,
        'unreadable',
        `GIFT syntax error near line ${line}: ${err instanceof Error ? err.message : 'unreadable'}`,
      );
      continue;
    }
    for (const q of parsed) {
      sawAny = true;
      if (q.type === 'Category') {
        category = tagFromCategory(q.title);
        continue;
      }
      if (q.type === 'Description') {
        out.skip(nameOf(q), 'description', 'GIFT description items are information text, not questions');
        continue;
      }
      const warnings: string[] = [];
      const mapped = gift(q, warnings);
      if ('problem' in mapped) {
        out.skip(nameOf(q), KINDS[q.type] ?? q.type, String(mapped.problem), warnings);
        continue;
      }
      const explanation = q.globalFeedback ? fromFormat(q.globalFeedback, warnings) || null : null;
      out.add(
        nameOf(q),
        KINDS[q.type] ?? q.type,
        { ...mapped, points: 1, explanation, tags: withTag([], category) },
        warnings,
      );
    }
  }
  if (!sawAny && !out.entries.length)
    throw new UnreadableFile('The file has no GIFT questions (nothing in it parses as GIFT).');
  return out.done();
}
