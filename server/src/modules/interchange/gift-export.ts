// Questions to GIFT. What GIFT cannot say (ordering, several gaps, units, points, case rules)
// is left out and named in a // comment at the top of the file.
import type { QuestionInput } from '@exam-hall/protocol';
import { plainText, tagFromCategory } from './report.ts';

/** GIFT's special characters are escaped with a backslash; line breaks become \n. */
const esc = (s: string) => s.replace(/[\\~=#{}:]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n');
const pct = (n: number) => `%${Number(n.toFixed(5))}%`;

interface Rendered {
  text: string | null;
  notes: string[];
}

function answers(q: QuestionInput, notes: string[]): string | null {
  switch (q.type) {
    case 'single_choice':
      return q.content.options.map((o) => `${o.id === q.answerKey.correct ? '=' : '~'}${esc(o.text)}`).join(' ');
    case 'multiple_choice': {
      const share = 100 / q.answerKey.correct.length;
      return q.content.options
        .map((o) => (q.answerKey.correct.includes(o.id) ? `~${pct(share)}${esc(o.text)}` : `~${esc(o.text)}`))
        .join(' ');
    }
    case 'true_false':
      return q.answerKey.correct ? 'T' : 'F';
    case 'short_answer':
      if (q.answerKey.caseSensitive) notes.push('case-sensitive matching');
      if (q.answerKey.pattern) notes.push('its pattern');
      if (!q.answerKey.accepted.length) return null;
      return q.answerKey.accepted.map((a) => `=${esc(a)}`).join(' ');
    case 'numeric':
      if (q.content.units.length) notes.push('its units');
      return `#${q.answerKey.answers.map((a) => `=${a.fraction < 1 ? pct(a.fraction * 100) : ''}${a.value}:${a.tolerance}`).join(' ')}`;
    case 'essay':
      if (q.content.wordLimit) notes.push('its word limit');
      if (q.answerKey.rubric.length || q.answerKey.guidance) notes.push('its rubric and guidance');
      return '';
    case 'matching': {
      const text = new Map(q.content.choices.map((c) => [c.id, c.text]));
      const used = new Set(q.answerKey.pairs.map((p) => p.choiceId));
      if (q.content.choices.some((c) => !used.has(c.id))) notes.push('its extra choices');
      return q.answerKey.pairs
        .map(
          (p) =>
            `=${esc(q.content.stems.find((s) => s.id === p.stemId)?.text ?? '')} -> ${esc(text.get(p.choiceId) ?? '')}`,
        )
        .join(' ');
    }
    case 'ordering':
    case 'fill_blanks':
      return null;
  }
}

function render(q: QuestionInput, n: number): Rendered {
  const notes: string[] = [];
  const title = `::${esc(plainText(q.prompt).slice(0, 40).trim() || `Question ${n}`)}::`;
  const feedback = q.explanation ? ` ####${esc(q.explanation)}` : '';
  if (q.type === 'fill_blanks') {
    if (q.content.gaps.length !== 1)
      return { text: null, notes: ['GIFT has one missing word per question; this one has several gaps'] };
    const gap = q.content.gaps[0]!;
    const key = q.answerKey.gaps[0]!;
    const inner = gap.options
      ? gap.options.map((o) => `${key.accepted.includes(o.id) ? '=' : '~'}${esc(o.text)}`).join(' ')
      : key.accepted.map((a) => `=${esc(a)}`).join(' ');
    if (key.caseSensitive) notes.push('case-sensitive matching');
    const [before, after] = q.prompt.split(`[[${gap.id}]]`);
    return { text: `${title}[html]${esc(before ?? '')}{${inner}${feedback}}${esc(after ?? '')}`, notes };
  }
  if (q.type === 'ordering') return { text: null, notes: ['GIFT has no ordering questions'] };
  const inner = answers(q, notes);
  if (inner === null) return { text: null, notes: ['it has only a pattern, which GIFT cannot hold'] };
  return { text: `${title}[html]${esc(q.prompt)}{${inner}${feedback}}`, notes };
}

export function renderGift(questions: QuestionInput[]): string {
  const head: string[] = ['// Questions exported from Exam Hall in GIFT format.'];
  const body: string[] = [];
  let category: string | null = null;
  questions.forEach((q, i) => {
    const r = render(q, i + 1);
    if (r.text === null) {
      head.push(`// Question ${i + 1} left out: ${r.notes.join('; ')}.`);
      return;
    }
    const notes = [...r.notes];
    if (q.points !== 1) notes.push(`${q.points} points`);
    if (q.tags.length > 1) notes.push('tags after the first');
    if (notes.length) head.push(`// Question ${i + 1}: GIFT cannot hold ${notes.join(', ')}.`);
    const tag = q.tags[0] ?? null;
    if (tag !== category) {
      // A category that reads back as no tag at all: Moodle's top.
      body.push(`$CATEGORY: ${tag && tagFromCategory(tag) === tag ? tag : '$course$/top'}`);
      category = tag;
    }
    body.push(r.text);
  });
  return `${head.join('\n')}\n\n${body.join('\n\n')}\n`;
}
