import { z } from 'zod';
import {
  examIdParamsSchema,
  questionCreateSchema,
  questionImportSchema,
  questionParamsSchema,
  questionReorderSchema,
  questionSchema,
  questionsDocumentSchema,
  questionUpdateSchema,
} from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { QuestionService } from './questions.service.ts';

const tags = ['questions'];
const access = ['teacher', 'admin'] as const;
const base = '/api/exams/:examId/questions';
const notYours = { description: 'No such exam (or question) of yours' };
const invalid = { description: 'Invalid fields, each named in error.fields' };
const locked = { description: 'The exam is archived or already has attempts' };
const list = z.object({ questions: z.array(questionSchema) });

// Fixed paths (export, reorder, import) come before /:questionId so they are not read as ids.
export function questionRoutes(questions: QuestionService) {
  return [
    route(
      {
        method: 'get',
        path: base,
        summary: "The exam's questions in position order, answer keys included",
        tags,
        access,
        params: examIdParamsSchema,
        responses: { 200: { description: 'Questions', schema: list }, 404: notYours },
      },
      async ({ actor, params }) => ({ questions: await questions.list(actor, params.examId) }),
    ),
    route(
      {
        method: 'post',
        path: base,
        summary: 'Add a question at the end',
        tags,
        access,
        params: examIdParamsSchema,
        body: questionCreateSchema,
        responses: {
          201: { description: 'Created', schema: questionSchema },
          400: invalid,
          404: notYours,
          409: locked,
        },
      },
      async ({ caller, params, body, res }) => {
        const created = await questions.create(caller, params.examId, body);
        res.status(201);
        return created;
      },
    ),
    route(
      {
        method: 'get',
        path: `${base}/export`,
        summary: "Download the exam's questions as an exam-hall.questions JSON document",
        tags,
        access,
        params: examIdParamsSchema,
        responses: { 200: { description: 'Document (attachment)', schema: questionsDocumentSchema }, 404: notYours },
      },
      async ({ actor, params, res }) => {
        const { filename, document } = await questions.exportDocument(actor, params.examId);
        res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
        return document;
      },
    ),
    route(
      {
        method: 'post',
        path: `${base}/reorder`,
        summary: 'Set the order: list every question of the exam exactly once',
        tags,
        access,
        params: examIdParamsSchema,
        body: questionReorderSchema,
        responses: {
          200: { description: 'Questions in the new order', schema: list },
          400: invalid,
          404: notYours,
          409: locked,
        },
      },
      async ({ caller, params, body }) => ({
        questions: await questions.reorder(caller, params.examId, body.questionIds),
      }),
    ),
    route(
      {
        method: 'post',
        path: `${base}/import`,
        // 500 questions of up to 20 long options each do not fit the default limit.
        bodyLimitKb: 5120,
        summary: 'Import a questions document (append or replace); one bad question imports none',
        tags,
        access,
        params: examIdParamsSchema,
        body: questionImportSchema,
        responses: {
          200: { description: 'Imported', schema: list.extend({ imported: z.number().int() }) },
          400: invalid,
          404: notYours,
          409: locked,
        },
      },
      async ({ caller, params, body }) => questions.import(caller, params.examId, body),
    ),
    route(
      {
        method: 'get',
        path: `${base}/:questionId`,
        summary: 'One question',
        tags,
        access,
        params: questionParamsSchema,
        responses: { 200: { description: 'Question', schema: questionSchema }, 404: notYours },
      },
      async ({ actor, params }) => questions.get(actor, params.examId, params.questionId),
    ),
    route(
      {
        method: 'put',
        path: `${base}/:questionId`,
        summary: 'Replace a question (every field; the type may change, the position stays)',
        tags,
        access,
        params: questionParamsSchema,
        body: questionUpdateSchema,
        responses: {
          200: { description: 'Updated', schema: questionSchema },
          400: invalid,
          404: notYours,
          409: locked,
        },
      },
      async ({ caller, params, body }) => questions.update(caller, params.examId, params.questionId, body),
    ),
    route(
      {
        method: 'delete',
        path: `${base}/:questionId`,
        summary: 'Delete a question; later questions move up',
        tags,
        access,
        params: questionParamsSchema,
        responses: { 204: { description: 'Deleted' }, 404: notYours, 409: locked },
      },
      async ({ caller, params }) => questions.remove(caller, params.examId, params.questionId),
    ),
  ];
}
