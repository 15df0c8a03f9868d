// Question files from and to other systems. The parsers and writers are pure functions
// (parseQuestionFile, renderQuestionFile, also for banks); this service adds who may do it and
// the saving, which goes through the questions service's all-or-nothing import.
import type {
  InterchangeFormat,
  InterchangeImport,
  InterchangeReport,
  Question,
  QuestionInput,
} from '@exam-hall/protocol';
import { MAX_QUESTIONS_PER_DOCUMENT, interchangeFormatLabels } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { AppError, badRequest, type FieldProblem } from '../../http/errors.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import { loadExamFor } from '../exams/exams.service.ts';
import { createBankService } from '../banks/banks.service.ts';
import { createQuestionService } from '../questions/questions.service.ts';
import { questionProblems } from '../questions/types/index.ts';
import { parseGift } from './gift.ts';
import { renderGift } from './gift-export.ts';
import { renderMoodleXml } from './moodle-export.ts';
import { parseMoodleXml } from './moodle-xml.ts';
import { parseQti } from './qti.ts';
import { renderQti } from './qti-export.ts';
import { UnreadableFile, type ParsedFile } from './report.ts';

export { UnreadableFile, type ParsedFile } from './report.ts';

const PARSERS: Record<InterchangeFormat, (text: string) => ParsedFile> = {
  moodle_xml: parseMoodleXml,
  gift: parseGift,
  qti3: parseQti,
};
const WRITERS: Record<InterchangeFormat, (questions: QuestionInput[]) => string> = {
  moodle_xml: renderMoodleXml,
  gift: renderGift,
  qti3: renderQti,
};
export const FILE_TYPES: Record<InterchangeFormat, { extension: string; contentType: string }> = {
  moodle_xml: { extension: 'moodle.xml', contentType: 'application/xml; charset=utf-8' },
  gift: { extension: 'gift.txt', contentType: 'text/plain; charset=utf-8' },
  qti3: { extension: 'qti.xml', contentType: 'application/xml; charset=utf-8' },
};

/** The registry's own rules (a type's validate) on top of the schema: a refusal becomes a skip. */
function registryChecked(parsed: ParsedFile): ParsedFile {
  const questions: QuestionInput[] = [];
  let qi = 0;
  const entries = parsed.report.entries.map((e) => {
    if (e.outcome !== 'imported') return e;
    const q = parsed.questions[qi++]!;
    let problems: { path: (string | number)[]; message: string }[];
    try {
      problems = questionProblems(q);
    } catch {
      problems = [{ path: [], message: `this server cannot store ${q.type} questions yet` }];
    }
    if (!problems.length) {
      questions.push(q);
      return e;
    }
    const p = problems[0]!;
    const where = p.path.length ? `${p.path.join('.')}: ` : '';
    return { ...e, outcome: 'skipped' as const, type: null, reason: `It does not fit here (${where}${p.message})` };
  });
  const imported = entries.filter((e) => e.outcome === 'imported').length;
  return { questions, report: { ...parsed.report, entries, imported, skipped: entries.length - imported } };
}

/** Questions and a report from a file's text; UnreadableFile when it cannot be read at all. */
export function parseQuestionFile(format: InterchangeFormat, text: string): ParsedFile {
  return registryChecked(PARSERS[format](text));
}

/** The questions as a file of the format (what does not map is named in comments inside). */
export function renderQuestionFile(format: InterchangeFormat, questions: QuestionInput[]): string {
  return WRITERS[format](questions);
}

/** The 400 for a file with nothing to import: why, in the words a teacher can act on. */
export function nothingToImport(report: InterchangeReport, path = 'body.text'): never {
  const label = interchangeFormatLabels[report.format];
  const reasons = [...new Set(report.entries.map((e) => e.reason).filter(Boolean))].slice(0, 3);
  const message = report.entries.length
    ? `None of the ${report.entries.length} questions in this ${label} file can be imported: ${reasons.join('; ')}`
    : `This ${label} file has no questions.`;
  throw badRequest(message, [{ path, message }]);
}

/** Parses for a route: an unreadable file is a 400 naming body.text. */
export function parseForImport(body: InterchangeImport): ParsedFile {
  try {
    return parseQuestionFile(body.format, body.text);
  } catch (err) {
    if (err instanceof UnreadableFile || err instanceof RangeError) {
      const message = err instanceof UnreadableFile ? err.message : 'The file is nested too deeply to read.';
      throw badRequest(message, [{ path: 'body.text', message } satisfies FieldProblem]);
    }
    throw err;
  }
}

/** The questions service names its own body's fields; here the file is the field. */
function asFileProblem(err: unknown): never {
  if (err instanceof AppError && err.status === 400)
    throw badRequest(err.message, [{ path: 'body.text', message: err.message }]);
  throw err;
}

function refuseOverLimit(parsed: ParsedFile) {
  if (parsed.questions.length > MAX_QUESTIONS_PER_DOCUMENT) {
    const message = `The file has ${parsed.questions.length} questions that map; at most ${MAX_QUESTIONS_PER_DOCUMENT} can be imported at once. Split it into smaller files.`;
    throw badRequest(message, [{ path: 'body.text', message }]);
  }
}

function fileOf(base: string, format: InterchangeFormat, questions: QuestionInput[]) {
  return {
    filename: `${base}.${FILE_TYPES[format].extension}`,
    contentType: FILE_TYPES[format].contentType,
    text: renderQuestionFile(format, questions),
  };
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);

function toInput(q: Question): QuestionInput {
  const { type, prompt, content, answerKey, points, explanation, difficulty, tags } = q;
  return { type, prompt, content, answerKey, points, explanation, difficulty, tags } as QuestionInput;
}

export function createInterchangeService(deps: { db: Db; secret: string }) {
  const { db } = deps;
  const questions = createQuestionService(deps);
  const banks = createBankService(deps);

  return {
    /** Dry run: the report only. Otherwise the mapped questions go after the exam's own, all or nothing. */
    async importToExam(caller: Caller, examId: string, body: InterchangeImport) {
      await loadExamFor(db, caller.actor, examId);
      const parsed = parseForImport(body);
      if (!parsed.questions.length) nothingToImport(parsed.report);
      if (body.dryRun) return { dryRun: true, report: parsed.report, questions: [] };
      refuseOverLimit(parsed);
      // Audited there as questions.imported, in the same transaction as the insert.
      const done = await questions
        .import(caller, examId, {
          document: { format: 'exam-hall.questions', version: 1, questions: parsed.questions },
          mode: 'append',
        })
        .catch(asFileProblem);
      return { dryRun: false, report: parsed.report, questions: done.questions };
    },

    async exportFromExam(actor: Actor, examId: string, format: InterchangeFormat) {
      const { filename, document } = await questions.exportDocument(actor, examId);
      const base = filename.replace(/-questions\.json$/, '');
      return fileOf(`${base}-questions`, format, document.questions);
    },

    /** The same for a course's question bank (banks' own all-or-nothing addQuestions saves). */
    async importToBank(caller: Caller, bankId: string, body: InterchangeImport) {
      await banks.get(caller.actor, bankId); // 404 unless it is a bank of the caller's
      const parsed = parseForImport(body);
      if (!parsed.questions.length) nothingToImport(parsed.report);
      if (body.dryRun) return { dryRun: true, report: parsed.report, questions: [] };
      refuseOverLimit(parsed);
      await banks.addQuestions(caller, bankId, parsed.questions, 'body.text').catch(asFileProblem);
      return { dryRun: false, report: parsed.report, questions: await banks.questions(caller.actor, bankId) };
    },

    async exportFromBank(actor: Actor, bankId: string, format: InterchangeFormat) {
      const bank = await banks.get(actor, bankId);
      const list = await banks.questions(actor, bankId);
      return fileOf(`${slug(bank.name) || 'bank'}-questions`, format, list.map(toInput));
    },
  };
}
export type InterchangeService = ReturnType<typeof createInterchangeService>;
