// Question texts are a small HTML subset (server/src/lib/html.ts). Every save path (create,
// update, import, banks) stores them through sanitizeQuestionInput; answer keys, units and
// typed accepted answers are plain text and left alone.
import type { QuestionInput, QuestionProblem } from '@exam-hall/protocol';
import { isBlankHtml, sanitizeOptional, sanitizeRichText } from '../../../lib/html.ts';

type Texted = { id: string; text: string };

const cleanList = <T extends Texted>(list: readonly T[]): T[] =>
  list.map((o) => ({ ...o, text: sanitizeRichText(o.text) }));

/** The question with its prompt, explanation and every option/stem/choice/item text sanitised. */
export function sanitizeQuestionInput<Q extends QuestionInput>(q: Q): Q {
  const out = { ...q, prompt: sanitizeRichText(q.prompt), explanation: sanitizeOptional(q.explanation) };
  switch (out.type) {
    case 'single_choice':
    case 'multiple_choice':
      return { ...out, content: { ...out.content, options: cleanList(out.content.options) } };
    case 'matching':
      return {
        ...out,
        content: { ...out.content, stems: cleanList(out.content.stems), choices: cleanList(out.content.choices) },
      };
    case 'ordering':
      return { ...out, content: { ...out.content, items: cleanList(out.content.items) } };
    case 'fill_blanks':
      return {
        ...out,
        content: {
          ...out.content,
          gaps: out.content.gaps.map((g) => (g.options ? { ...g, options: cleanList(g.options) } : g)),
        },
      };
    default:
      return out;
  }
}

/** Required texts that hold nothing once disallowed HTML is removed (e.g. only a <script>). */
export function blankAfterSanitising(q: QuestionInput): QuestionProblem[] {
  const clean = sanitizeQuestionInput(q);
  const problems: QuestionProblem[] = [];
  const check = (html: string, path: (string | number)[]) => {
    if (isBlankHtml(html)) problems.push({ path, message: 'Nothing is left once disallowed HTML is removed' });
  };
  check(clean.prompt, ['prompt']);
  const lists: [string, readonly Texted[]][] = [];
  if (clean.type === 'single_choice' || clean.type === 'multiple_choice')
    lists.push(['options', clean.content.options]);
  if (clean.type === 'matching') lists.push(['stems', clean.content.stems], ['choices', clean.content.choices]);
  if (clean.type === 'ordering') lists.push(['items', clean.content.items]);
  for (const [name, list] of lists) list.forEach((o, i) => check(o.text, ['content', name, i, 'text']));
  if (clean.type === 'fill_blanks')
    clean.content.gaps.forEach((g, gi) =>
      g.options?.forEach((o, i) => check(o.text, ['content', 'gaps', gi, 'options', i, 'text'])),
    );
  return problems;
}
