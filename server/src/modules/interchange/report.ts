// What an importer hands back: the questions it made and one report entry per source question.
// Every candidate goes through protocol's questionInputSchema, so a mapping that produced
// something the app would refuse becomes "skipped" with the schema's own words.
import {
  MAX_QUESTIONS_PER_DOCUMENT,
  questionInputSchema,
  REPORT_NAME_MAX,
  type InterchangeFormat,
  type InterchangeReport,
  type InterchangeReportEntry,
  type QuestionInput,
} from '@exam-hall/protocol';

export interface ParsedFile {
  questions: QuestionInput[];
  report: InterchangeReport;
}

/** Source questions read from one file, skipped ones included; more is refused before parsing. */
export const MAX_SOURCE_QUESTIONS = 1000;
/** One GIFT question's text; a prompt holds at most 5000 characters, images make some larger. */
export const MAX_GIFT_QUESTION_CHARS = 256 * 1024;

export function refuseIfTooMany(count: number, what = 'questions') {
  if (count > MAX_SOURCE_QUESTIONS)
    throw new UnreadableFile(
      `The file holds ${count} ${what}; at most ${MAX_SOURCE_QUESTIONS} can be read at once (and ${MAX_QUESTIONS_PER_DOCUMENT} imported). Split it into smaller files.`,
    );
}

/** Thrown for a file that cannot be read at all (not XML, not GIFT, a DTD, too deep). */
export class UnreadableFile extends Error {}

/** Collects the entries of one file in source order. */
export class ReportBuilder {
  readonly questions: QuestionInput[] = [];
  readonly entries: InterchangeReportEntry[] = [];
  readonly format: InterchangeFormat;

  constructor(format: InterchangeFormat) {
    this.format = format;
  }

  skip(name: string, sourceType: string, reason: string, warnings: string[] = []) {
    this.entries.push({
      index: this.entries.length + 1,
      name: nameOf(name),
      sourceType,
      outcome: 'skipped',
      type: null,
      reason,
      warnings,
    });
  }

  /** Checks the candidate with the app's own schema; a refusal is a skip naming the field. */
  add(name: string, sourceType: string, candidate: unknown, warnings: string[] = []) {
    const parsed = questionInputSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      this.skip(name, sourceType, `It does not fit here (${where}${issue.message})`, warnings);
      return;
    }
    this.questions.push(parsed.data);
    this.entries.push({
      index: this.entries.length + 1,
      name: nameOf(name),
      sourceType,
      outcome: 'imported',
      type: parsed.data.type,
      reason: null,
      warnings,
    });
  }

  done(): ParsedFile {
    const imported = this.entries.filter((e) => e.outcome === 'imported').length;
    return {
      questions: this.questions,
      report: { format: this.format, imported, skipped: this.entries.length - imported, entries: this.entries },
    };
  }
}

/** Plain text of a bit of HTML, for names and comparisons. */
export function plainText(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function nameOf(name: string): string {
  const plain = plainText(name) || '(untitled)';
  return plain.length > REPORT_NAME_MAX ? `${plain.slice(0, REPORT_NAME_MAX - 1)}…` : plain;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Option text from an HTML fragment: a lone <p> wrapper (Moodle's editor adds one) is dropped. */
export function unwrapParagraph(html: string): string {
  const t = html.trim();
  const m = /^<p>([\s\S]*)<\/p>$/i.exec(t);
  return m && !/<\/?p[\s>]/i.test(m[1]!) ? m[1]!.trim() : t;
}

/** Sequential ids for options: o1, o2, ... */
export const idOf = (prefix: string, i: number) => `${prefix}${i + 1}`;

/** A tag from a category path: the last parts that fit in 50 characters, Moodle's $course$/top left out. */
export function tagFromCategory(path: string): string | null {
  const parts = path
    .split('/')
    .map((p) => p.trim())
    .filter((p) => p && !/^\$\w+\$$/.test(p) && p !== 'top' && !/^Default for /i.test(p));
  let tag = '';
  for (let i = parts.length - 1; i >= 0; i--) {
    const next = tag ? `${parts[i]}/${tag}` : parts[i]!;
    if (next.length > 50) break;
    tag = next;
  }
  if (!tag && parts.length) tag = parts[parts.length - 1]!.slice(0, 50);
  return tag || null;
}

export function withTag(tags: string[], tag: string | null): string[] {
  return tag && !tags.includes(tag) && tags.length < 20 ? [...tags, tag] : tags;
}
