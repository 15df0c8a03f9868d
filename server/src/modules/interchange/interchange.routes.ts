import { interchangeApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { InterchangeService } from './interchange.service.ts';

const tags = ['questions'];
const access = ['teacher', 'admin'] as const;
const invalid = {
  description:
    'Invalid fields, each named in error.fields; also a file that cannot be read or has no question that maps',
};
// A 5 MB file grows when sent as a JSON string (quotes and line breaks are escaped); the text
// itself is limited to 5 MB by the body schema, which names the field.
const bodyLimitKb = 12 * 1024;

export function interchangeRoutes(interchange: InterchangeService) {
  return [
    route(
      interchangeApi.importToExam,
      {
        bodyLimitKb,
        summary:
          'Import a Moodle XML, GIFT or QTI 3.0 file after the exam’s questions, with a report per source question (dryRun: the report only)',
        tags,
        access,
        responses: {
          200: { description: 'Imported (or the dry run’s report)' },
          400: invalid,
          404: { description: 'No such exam of yours' },
          409: { description: 'The exam is archived or already has attempts' },
        },
      },
      async ({ caller, params, body }) => interchange.importToExam(caller, params.examId, body),
    ),
    route(
      interchangeApi.exportFromExam,
      {
        summary:
          'Download the exam’s questions as Moodle XML, GIFT or QTI 3.0 items (what does not map is named inside)',
        tags,
        access,
        responses: {
          200: { description: 'The file (attachment)' },
          400: invalid,
          404: { description: 'No such exam of yours' },
        },
      },
      async ({ actor, params, res }) => {
        const file = await interchange.exportFromExam(actor, params.examId, params.format);
        res.setHeader('Content-Type', file.contentType);
        res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
        res.send(file.text);
        return undefined;
      },
    ),
    route(
      interchangeApi.importToBank,
      {
        bodyLimitKb,
        summary:
          'Import a Moodle XML, GIFT or QTI 3.0 file into a question bank, with a report (dryRun: the report only)',
        tags,
        access,
        responses: {
          200: { description: 'Imported (or the dry run’s report)' },
          400: invalid,
          404: { description: 'No such bank of yours' },
          409: { description: 'The bank is full' },
        },
      },
      async ({ caller, params, body }) => interchange.importToBank(caller, params.bankId, body),
    ),
    route(
      interchangeApi.exportFromBank,
      {
        summary: 'Download a bank’s questions as Moodle XML, GIFT or QTI 3.0 items',
        tags,
        access,
        responses: {
          200: { description: 'The file (attachment)' },
          400: invalid,
          404: { description: 'No such bank of yours' },
        },
      },
      async ({ actor, params, res }) => {
        const file = await interchange.exportFromBank(actor, params.bankId, params.format);
        res.setHeader('Content-Type', file.contentType);
        res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
        res.send(file.text);
        return undefined;
      },
    ),
  ];
}
