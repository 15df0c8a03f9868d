// HTTP contracts of question files (Moodle XML, GIFT, QTI 3.0): import with a report, export as a download.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import { examIdParamsSchema } from '../exams.ts';
import {
  interchangeBankExportParamsSchema,
  interchangeBankParamsSchema,
  interchangeExportParamsSchema,
  interchangeImportSchema,
  interchangeReportSchema,
} from '../interchange.ts';
import { questionSchema } from '../questions.ts';

export const interchangeImportResponseSchema = z.object({
  dryRun: z.boolean(),
  report: interchangeReportSchema,
  /** The exam's (or bank's) questions after the import (empty on a dry run). */
  questions: z.array(questionSchema),
});
export type InterchangeImportResponse = z.infer<typeof interchangeImportResponseSchema>;

export const interchangeApi = {
  importToExam: endpoint({
    method: 'post',
    path: '/api/exams/:examId/questions/import-file',
    params: examIdParamsSchema,
    body: interchangeImportSchema,
    response: interchangeImportResponseSchema,
  }),
  /** The file itself (XML or text), as an attachment. */
  exportFromExam: endpoint({
    method: 'get',
    path: '/api/exams/:examId/questions/export/:format',
    params: interchangeExportParamsSchema,
  }),
  importToBank: endpoint({
    method: 'post',
    path: '/api/banks/:bankId/questions/import-file',
    params: interchangeBankParamsSchema,
    body: interchangeImportSchema,
    response: interchangeImportResponseSchema,
  }),
  exportFromBank: endpoint({
    method: 'get',
    path: '/api/banks/:bankId/questions/export/:format',
    params: interchangeBankExportParamsSchema,
  }),
};
