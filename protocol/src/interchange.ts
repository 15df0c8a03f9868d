// Question files from and to other systems: Moodle XML, GIFT and IMS QTI 3.0 items.
// An import answers a report with one entry per question of the source file.
import { z } from 'zod';
import { text } from './common.ts';
import { questionTypeNames } from './questions.ts';

export const interchangeFormats = ['moodle_xml', 'gift', 'qti3'] as const;
export type InterchangeFormat = (typeof interchangeFormats)[number];
export const interchangeFormatLabels: Record<InterchangeFormat, string> = {
  moodle_xml: 'Moodle XML',
  gift: 'GIFT',
  qti3: 'QTI 3.0',
};
/** The largest question file accepted, in characters (UTF-16 code units, as JavaScript counts). */
export const MAX_INTERCHANGE_FILE_CHARS = 5 * 1024 * 1024;

const formatSchema = z.enum(interchangeFormats, { error: `format must be one of: ${interchangeFormats.join(', ')}` });

export const interchangeImportSchema = z.object({
  format: formatSchema,
  /** The file's text; images travel inside it (Moodle's base64 <file> elements). */
  text: text({ error: 'text must be the file as a string' })
    .min(1, 'The file is empty')
    .max(MAX_INTERCHANGE_FILE_CHARS, `The file is too large: at most ${MAX_INTERCHANGE_FILE_CHARS / 1024 / 1024} MB`),
  /** true: only answer the report; nothing is saved. */
  dryRun: z.boolean({ error: 'dryRun must be true or false' }).default(false),
});
export type InterchangeImport = z.infer<typeof interchangeImportSchema>;

export const interchangeOutcomes = ['imported', 'skipped'] as const;
export type InterchangeOutcome = (typeof interchangeOutcomes)[number];

export const interchangeReportEntrySchema = z.object({
  /** 1-based position among the source file's questions. */
  index: z.number().int(),
  /** The source's own name for the question, or the start of its text. */
  name: z.string(),
  /** The source's type name (Moodle's type attribute, GIFT's kind, QTI's interaction). */
  sourceType: z.string(),
  outcome: z.enum(interchangeOutcomes),
  /** What it became here (imported only). */
  type: z.enum(questionTypeNames).nullable(),
  /** Why it was skipped. */
  reason: z.string().nullable(),
  /** What did not map exactly (imported with changes). */
  warnings: z.array(z.string()),
});
export type InterchangeReportEntry = z.infer<typeof interchangeReportEntrySchema>;

export const interchangeReportSchema = z.object({
  format: z.enum(interchangeFormats),
  imported: z.number().int(),
  skipped: z.number().int(),
  entries: z.array(interchangeReportEntrySchema),
});
export type InterchangeReport = z.infer<typeof interchangeReportSchema>;

export const interchangeExportParamsSchema = z.object({
  examId: z.uuid('examId must be a UUID'),
  format: formatSchema,
});
export const interchangeBankParamsSchema = z.object({ bankId: z.uuid('bankId must be a UUID') });
export const interchangeBankExportParamsSchema = interchangeBankParamsSchema.extend({ format: formatSchema });

/** Names shown in reports are cut to this length. */
export const REPORT_NAME_MAX = 120;
