// Moodle XML (docs.moodle.org/en/Moodle_XML_format) to questions, with a report per question.
import { clozeToFillBlanks } from './cloze.ts';
import { inlineFiles, type EmbeddedFile } from './images.ts';
import {
  ReportBuilder,
  refuseIfTooMany,
  escapeRegex,
  UnreadableFile,
  idOf,
  plainText,
  tagFromCategory,
  unwrapParagraph,
  withTag,
  type ParsedFile,
} from './report.ts';
import { attr, list, obj, parseXml, textOf } from './xml.ts';

type Node = Record<string, unknown>;

const ARRAYS = new Set(['question', 'answer', 'subquestion', 'file', 'tag', 'unit', 'dragbox', 'selectoption']);

const NO_EQUIVALENT: Record<string, string> = {
  description: "Moodle 'description' items are information text, not questions",
  calculated: "Moodle 'calculated' questions have no equivalent here",
  calculatedsimple: "Moodle 'calculatedsimple' questions have no equivalent here",
  calculatedmulti: "Moodle 'calculatedmulti' questions have no equivalent here",
  random: "Moodle 'random' questions are drawn from a category: use a bank section instead",
  randomsamatch: "Moodle 'randomsamatch' questions have no equivalent here",
  ddimageortext: 'Drag and drop onto an image has no equivalent here',
  ddmarker: 'Drag markers onto an image has no equivalent here',
};

const num = (v: unknown, fallback: number) => {
  const t = textOf(v).trim();
  if (!t) return fallback;
  const n = Number(t);
  return Number.isFinite(n) ? n : fallback;
};
const isTrue = (v: unknown) => ['true', '1'].includes(textOf(v).trim().toLowerCase());
const round2 = (n: number) => Math.round(n * 100) / 100;

interface Answer {
  fraction: number;
  html: string;
  feedback: boolean;
  node: Node;
}

function answers(q: Node): Answer[] {
  return list(q.answer).map((a) => ({
    fraction: num(attr(a, 'fraction'), 0),
    html: textOf(a),
    feedback: plainText(textOf(obj(a)?.feedback)) !== '',
    node: obj(a) ?? {},
  }));
}

/** Text of a Moodle text element by its format: plain text and markdown stay as typed. */
function richText(v: unknown, files: EmbeddedFile[]): { html: string } | { problem: string } {
  const html = textOf(v).trim();
  const own = list(obj(v)?.file).map((f) => ({ name: attr(f, 'name') ?? '', base64: textOf(f) }));
  return inlineFiles(html, [...own, ...files]);
}

class MoodleImport {
  readonly out = new ReportBuilder('moodle_xml');
  private category: string | null = null;

  question(q: Node) {
    const type = attr(q, 'type') ?? '(no type)';
    if (type === 'category') {
      this.category = tagFromCategory(textOf(obj(q.category)));
      return;
    }
    const prompt = richText(q.questiontext, []);
    const name = textOf(obj(q.name)) || ('html' in prompt ? prompt.html : '');
    if (NO_EQUIVALENT[type]) return this.out.skip(name, type, NO_EQUIVALENT[type]);
    if ('problem' in prompt) return this.out.skip(name, type, prompt.problem);
    const warnings: string[] = [];
    let points = round2(num(q.defaultgrade, 1));
    if (points <= 0) {
      warnings.push(`A mark of ${textOf(q.defaultgrade)} becomes 1 point`);
      points = 1;
    }
    const explanation = plainText(textOf(q.generalfeedback)) ? textOf(q.generalfeedback).trim() : null;
    let tags = list(obj(q.tags)?.tag)
      .map((t) => textOf(t).trim().slice(0, 50))
      .filter((t, i, all) => t && all.indexOf(t) === i)
      .slice(0, 20);
    tags = withTag(tags, this.category);
    const common = { prompt: prompt.html, points, explanation, tags };
    const mapped = this.map(type, q, prompt.html, warnings);
    if ('problem' in mapped) return this.out.skip(name, type, String(mapped.problem), warnings);
    if (answers(q).some((a) => a.feedback) && !warnings.includes(FEEDBACK)) warnings.push(FEEDBACK);
    this.out.add(name, type, { ...common, ...mapped }, warnings);
  }

  private map(
    type: string,
    q: Node,
    prompt: string,
    warnings: string[],
  ): Record<string, unknown> | { problem: string } {
    const as = answers(q);
    switch (type) {
      case 'multichoice':
        return multichoice(q, as, warnings);
      case 'truefalse': {
        const right = as.find((a) => a.fraction >= 100);
        if (!right) return { problem: 'No answer is marked right (fraction 100)' };
        return {
          type: 'true_false',
          content: {},
          answerKey: { correct: plainText(right.html).toLowerCase() === 'true' },
        };
      }
      case 'shortanswer':
        return shortAnswer(q, as, warnings);
      case 'numerical':
        return numerical(q, as, warnings);
      case 'essay': {
        const max = num(q.maxwordlimit, 0);
        if (num(q.attachments, 0) !== 0)
          warnings.push('File attachments are not supported: the student writes text only');
        const guidance = plainText(textOf(q.graderinfo)) ? textOf(q.graderinfo).trim() : null;
        return {
          type: 'essay',
          content: { wordLimit: max >= 1 ? Math.round(max) : null },
          answerKey: { rubric: [], guidance },
        };
      }
      case 'matching':
        return matching(q);
      case 'ordering': {
        const items = as.map((a, i) => ({ id: idOf('i', i), text: unwrapParagraph(a.html) }));
        return { type: 'ordering', content: { items }, answerKey: { order: items.map((i) => i.id) } };
      }
      case 'ddwtos':
      case 'gapselect':
        return gapChoices(type, q, prompt, warnings);
      case 'multianswer':
      case 'cloze': {
        const c = clozeToFillBlanks(prompt);
        if ('problem' in c) return c;
        warnings.push(...c.warnings);
        return { type: 'fill_blanks', prompt: c.prompt, content: c.content, answerKey: c.answerKey };
      }
      default:
        return { problem: `Moodle '${type}' questions have no equivalent here` };
    }
  }
}

const FEEDBACK = 'Feedback on answers is not imported';

function multichoice(q: Node, as: Answer[], warnings: string[]) {
  if (as.length < 2) return { problem: 'A multiple choice question needs at least 2 answers' };
  const options = as.map((a, i) => ({ id: idOf('o', i), text: unwrapParagraph(a.html) }));
  const best = Math.max(...as.map((a) => a.fraction));
  if (best <= 0) return { problem: 'No answer has a positive fraction' };
  if (isTrue(q.single)) {
    const i = as.findIndex((a) => a.fraction === best);
    if (as.some((a) => a.fraction > 0 && a.fraction < best))
      warnings.push(`Partly right answers lose their credit: only '${plainText(options[i]!.text)}' is correct here`);
    return { type: 'single_choice', content: { options }, answerKey: { correct: options[i]!.id } };
  }
  const correct = options.filter((_, i) => as[i]!.fraction > 0).map((o) => o.id);
  const share = 100 / correct.length;
  const even = as.every((a) => a.fraction <= 0 || Math.abs(a.fraction - share) < 0.01);
  if (!even || as.some((a) => a.fraction < 0))
    warnings.push(
      "Moodle's fractions are not kept: the options with a positive fraction are the correct ones, graded by this app's rule",
    );
  return { type: 'multiple_choice', content: { options }, answerKey: { correct } };
}

function shortAnswer(q: Node, as: Answer[], warnings: string[]) {
  const full = as.filter((a) => a.fraction >= 100).map((a) => plainText(a.html));
  if (as.some((a) => a.fraction > 0 && a.fraction < 100))
    warnings.push('Partly right answers (fractions below 100%) are not accepted here');
  const wild = full.filter((a) => a.includes('*'));
  const accepted = full.filter((a) => !a.includes('*'));
  let pattern: string | null = null;
  if (wild.length) {
    pattern = wild.map((w) => w.split('*').map(escapeRegex).join('.*')).join('|');
    if (wild.length > 1) pattern = `(?:${pattern})`;
    warnings.push("Answers with Moodle's * wildcard become a pattern");
  }
  if (!accepted.length && !pattern) return { problem: 'No answer is marked right (fraction 100)' };
  return {
    type: 'short_answer',
    content: {},
    answerKey: { accepted, caseSensitive: isTrue(q.usecase), whitespace: 'collapse', pattern },
  };
}

function numerical(q: Node, as: Answer[], warnings: string[]) {
  const keyed = as.filter((a) => a.fraction > 0);
  if (keyed.some((a) => plainText(a.html) === '*')) warnings.push("The '*' (any other answer) entry is left out");
  const answers = keyed
    .filter((a) => plainText(a.html) !== '*')
    .map((a) => ({
      value: Number(plainText(a.html)),
      tolerance: Math.abs(num(a.node.tolerance, 0)),
      fraction: Math.min(1, a.fraction / 100),
    }));
  if (answers.some((a) => !Number.isFinite(a.value))) return { problem: 'An answer is not a number' };
  const units = list(obj(q.units)?.unit).map((u) => ({
    unit: textOf(obj(u)?.unit_name).trim(),
    multiplier: num(obj(u)?.multiplier, 1),
  }));
  const grading = num(q.unitgradingtype, 0);
  const penalty = num(q.unitpenalty, 0);
  if (units.length && grading !== 0 && penalty < 1)
    warnings.push(
      `A unit penalty of ${round2(penalty * 100)}% is not supported: a missing or wrong unit earns nothing`,
    );
  return {
    type: 'numeric',
    content: { units, unitRequired: units.length > 0 && grading !== 0 },
    answerKey: { answers },
  };
}

function matching(q: Node) {
  const subs = list(q.subquestion).map((s) => ({
    stem: textOf(s).trim(),
    choice: plainText(textOf(list(obj(s)?.answer)[0])),
  }));
  const choiceTexts: string[] = [];
  for (const s of subs) if (s.choice && !choiceTexts.includes(s.choice)) choiceTexts.push(s.choice);
  const choices = choiceTexts.map((text, i) => ({ id: idOf('c', i), text }));
  const stems = subs
    .filter((s) => plainText(s.stem))
    .map((s, i) => ({ id: idOf('s', i), text: unwrapParagraph(s.stem), choice: s.choice }));
  return {
    type: 'matching',
    content: { stems: stems.map(({ id, text }) => ({ id, text })), choices },
    answerKey: {
      pairs: stems.map((s) => ({ stemId: s.id, choiceId: choices[choiceTexts.indexOf(s.choice)]?.id ?? '' })),
    },
  };
}

/** ddwtos and gapselect: [[n]] names choice n; a gap offers the choices of that choice's group. */
function gapChoices(type: string, q: Node, prompt: string, warnings: string[]) {
  const raw = list(type === 'ddwtos' ? q.dragbox : q.selectoption).map((c) => ({
    text: plainText(textOf(c)),
    group: textOf(obj(c)?.group).trim() || '1',
  }));
  if (type === 'ddwtos') warnings.push('Dragging words into gaps becomes a drop-down list per gap');
  let problem: string | null = null;
  const gaps: { id: string; options: { id: string; text: string }[] }[] = [];
  const keys: { gapId: string; accepted: string[]; caseSensitive: boolean }[] = [];
  const text = prompt.replace(/\[\[(\d+)\]\]/g, (whole, n: string) => {
    const right = raw[Number(n) - 1];
    if (!right) {
      problem ??= `The gap [[${n}]] names a choice that does not exist`;
      return whole;
    }
    const id = `g${gaps.length + 1}`;
    const group = raw.filter((c) => c.group === right.group);
    const options = group.map((c, i) => ({ id: idOf(`${id}o`, i), text: c.text }));
    gaps.push({ id, options });
    keys.push({ gapId: id, accepted: [idOf(`${id}o`, group.indexOf(right))], caseSensitive: false });
    return `[[${id}]]`;
  });
  if (problem) return { problem };
  if (!gaps.length) return { problem: 'The text has no [[n]] gaps' };
  return { type: 'fill_blanks', prompt: text, content: { gaps }, answerKey: { gaps: keys } };
}

export function parseMoodleXml(text: string): ParsedFile {
  refuseIfTooMany(text.match(/<question[\s>]/g)?.length ?? 0);
  const doc = obj(parseXml(text, 'Moodle XML', { isArray: (name) => ARRAYS.has(name) }));
  if (!doc || !('quiz' in doc))
    throw new UnreadableFile('This is not a Moodle XML file: its root element must be <quiz>.');
  const run = new MoodleImport();
  for (const q of list(obj(doc.quiz)?.question)) run.question(obj(q) ?? {});
  return run.out.done();
}
