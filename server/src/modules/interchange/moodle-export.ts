// Questions to Moodle XML that imports back (here or into Moodle) as the same questions.
// Each question's images leave the prompt as base64 <file> elements.
import type { QuestionInput } from '@exam-hall/protocol';
import { fillBlanksToCloze } from './cloze.ts';
import { extractFiles } from './images.ts';
import { escapeRegex, escapeXml, plainText } from './report.ts';
import { cdata } from './xml.ts';

const textEl = (tag: string, html: string, extra = '') =>
  `<${tag} format="html"${extra}><text>${cdata(html)}</text></${tag}>`;
const plainEl = (tag: string, value: string | number) => `<${tag}>${escapeXml(String(value))}</${tag}>`;
const fraction = (n: number) => Number((n * 100).toFixed(7)).toString();
const answer = (frac: number, html: string, inner = '') =>
  `<answer fraction="${fraction(frac)}" format="html"><text>${cdata(html)}</text>${inner}</answer>`;

/** A pattern made of Moodle * wildcards (what the importer makes of them) back as answers; null for any other pattern. */
export function patternToWildcards(pattern: string): string[] | null {
  const alternatives = /^\(\?:(.*)\)$/.exec(pattern)?.[1] ?? pattern;
  const out: string[] = [];
  for (const alt of alternatives.split('|')) {
    const parts = alt.split('.*').map((p) => p.replace(/\\(.)/g, '$1'));
    if (parts.map(escapeRegex).join('.*') !== alt) return null;
    out.push(parts.join('*'));
  }
  return out;
}

function nameOf(q: QuestionInput): string {
  const t = plainText(q.prompt.replace(/\[\[[^\]]+\]\]/g, '___'));
  return t.length > 60 ? `${t.slice(0, 59)}…` : t || 'Question';
}

function body(q: QuestionInput): { type: string; prompt: string; parts: string[] } {
  switch (q.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const correct = q.type === 'single_choice' ? [q.answerKey.correct] : q.answerKey.correct;
      const share = 1 / correct.length;
      return {
        type: 'multichoice',
        prompt: q.prompt,
        parts: [
          plainEl('single', q.type === 'single_choice' ? 'true' : 'false'),
          plainEl('shuffleanswers', 'true'),
          plainEl('answernumbering', 'abc'),
          ...q.content.options.map((o) => answer(correct.includes(o.id) ? share : 0, o.text)),
        ],
      };
    }
    case 'true_false':
      return {
        type: 'truefalse',
        prompt: q.prompt,
        parts: [answer(q.answerKey.correct ? 1 : 0, 'true'), answer(q.answerKey.correct ? 0 : 1, 'false')],
      };
    case 'short_answer': {
      const wild = q.answerKey.pattern ? patternToWildcards(q.answerKey.pattern) : [];
      return {
        type: 'shortanswer',
        prompt: q.prompt,
        parts: [
          plainEl('usecase', q.answerKey.caseSensitive ? 1 : 0),
          ...q.answerKey.accepted.map((a) => answer(1, a)),
          ...(wild ?? []).map((a) => answer(1, a)),
          ...(wild
            ? []
            : ['<!-- The pattern of this question cannot be written as Moodle * wildcards and is left out. -->']),
        ],
      };
    }
    case 'numeric':
      return {
        type: 'numerical',
        prompt: q.prompt,
        parts: [
          ...q.answerKey.answers.map((a) => answer(a.fraction, String(a.value), plainEl('tolerance', a.tolerance))),
          `<units>${q.content.units.map((u) => `<unit>${plainEl('multiplier', u.multiplier)}${plainEl('unit_name', u.unit)}</unit>`).join('')}</units>`,
          plainEl('unitgradingtype', q.content.unitRequired ? 1 : 0),
          plainEl('unitpenalty', q.content.unitRequired ? '1.0000000' : '0.0000000'),
          plainEl('showunits', q.content.units.length ? 0 : 3),
          plainEl('unitsleft', 0),
        ],
      };
    case 'essay':
      return {
        type: 'essay',
        prompt: q.prompt,
        parts: [
          plainEl('responseformat', 'editor'),
          plainEl('responserequired', 1),
          plainEl('responsefieldlines', 15),
          plainEl('attachments', 0),
          plainEl('maxwordlimit', q.content.wordLimit ?? ''),
          textEl('graderinfo', q.answerKey.guidance ?? ''),
        ],
      };
    case 'matching': {
      const choice = new Map(q.content.choices.map((c) => [c.id, c.text]));
      const keyed = new Map(q.answerKey.pairs.map((p) => [p.stemId, choice.get(p.choiceId) ?? '']));
      const used = new Set(q.answerKey.pairs.map((p) => p.choiceId));
      const sub = (stem: string, text: string) =>
        `<subquestion format="html"><text>${cdata(stem)}</text><answer><text>${cdata(text)}</text></answer></subquestion>`;
      return {
        type: 'matching',
        prompt: q.prompt,
        parts: [
          plainEl('shuffleanswers', 'true'),
          ...q.content.stems.map((s) => sub(s.text, keyed.get(s.id) ?? '')),
          // Distractors: Moodle's subquestions with no question text.
          ...q.content.choices.filter((c) => !used.has(c.id)).map((c) => sub('', c.text)),
        ],
      };
    }
    case 'ordering': {
      const text = new Map(q.content.items.map((i) => [i.id, i.text]));
      return {
        type: 'ordering',
        prompt: q.prompt,
        parts: [
          plainEl('layouttype', 'VERTICAL'),
          plainEl('selecttype', 'ALL'),
          plainEl('selectcount', 0),
          plainEl('gradingtype', 'ABSOLUTE_POSITION'),
          ...q.answerKey.order.map((id, i) =>
            answer(i + 1, text.get(id) ?? '').replace(/fraction="[^"]*"/, `fraction="${i + 1}"`),
          ),
        ],
      };
    }
    case 'fill_blanks':
      return { type: 'cloze', prompt: fillBlanksToCloze(q), parts: [] };
  }
}

function questionXml(q: QuestionInput): string {
  const b = body(q);
  const { html, files } = extractFiles(b.prompt);
  const fileEls = files.map((f) => `<file name="${escapeXml(f.name)}" path="/" encoding="base64">${f.base64}</file>`);
  const tags = q.tags.length ? `<tags>${q.tags.map((t) => `<tag><text>${cdata(t)}</text></tag>`).join('')}</tags>` : '';
  return [
    `  <question type="${b.type}">`,
    `    <name><text>${cdata(nameOf(q))}</text></name>`,
    `    <questiontext format="html"><text>${cdata(html)}</text>${fileEls.join('')}</questiontext>`,
    `    ${textEl('generalfeedback', q.explanation ?? '')}`,
    `    ${plainEl('defaultgrade', q.points)}`,
    `    ${plainEl('penalty', 0)}`,
    `    ${plainEl('hidden', 0)}`,
    ...b.parts.map((p) => `    ${p}`),
    ...(tags ? [`    ${tags}`] : []),
    '  </question>',
  ].join('\n');
}

export function renderMoodleXml(questions: QuestionInput[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n${questions.map(questionXml).join('\n')}\n</quiz>\n`;
}
