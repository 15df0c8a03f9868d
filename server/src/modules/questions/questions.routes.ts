import { questionsApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { QuestionService } from './questions.service.ts';

const tags = ['questions'];
const access = ['teacher', 'admin'] as const;
const notYours = { description: 'No such exam (or question) of yours' };
const invalid = { description: 'Invalid fields, each named in error.fields' };
const locked = { description: 'The exam is archived or already has attempts' };

// Fixed paths (export, reorder, import) come before /:questionId so they are not read as ids.
export function questionRoutes(questions: QuestionService) {
  return [
    route(
      questionsApi.list,
      {
        summary: "The exam's questions in position order, answer keys included",
        tags,
        access,
        responses: { 200: { description: 'Questions' }, 404: notYours },
      },
      async ({ actor, params }) => ({ questions: await questions.list(actor, params.examId) }),
    ),
    route(
      questionsApi.create,
      {
        summary: 'Add a question at the end',
        tags,
        access,
        responses: { 201: { description: 'Created' }, 400: invalid, 404: notYours, 409: locked },
      },
      async ({ caller, params, body, res }) => {
        const created = await questions.create(caller, params.examId, body);
        res.status(201);
        return created;
      },
    ),
    route(
      questionsApi.export,
      {
        summary: "Download the exam's questions as an exam-hall.questions JSON document",
        tags,
        access,
        responses: { 200: { description: 'Document (attachment)' }, 404: notYours },
      },
      async ({ actor, params, res }) => {
        const { filename, document } = await questions.exportDocument(actor, params.examId);
        res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
        return document;
      },
    ),
    route(
      questionsApi.reorder,
      {
        summary: 'Set the order: list every question of the exam exactly once',
        tags,
        access,
        responses: { 200: { description: 'Questions in the new order' }, 400: invalid, 404: notYours, 409: locked },
      },
      async ({ caller, params, body }) => ({
        questions: await questions.reorder(caller, params.examId, body.questionIds),
      }),
    ),
    route(
      questionsApi.import,
      {
        bodyLimitKb: 5120,
        summary: 'Import a questions document (append or replace); one bad question imports none',
        tags,
        access,
        responses: { 200: { description: 'Imported' }, 400: invalid, 404: notYours, 409: locked },
      },
      async ({ caller, params, body }) => questions.import(caller, params.examId, body),
    ),
    route(
      questionsApi.get,
      { summary: 'One question', tags, access, responses: { 200: { description: 'Question' }, 404: notYours } },
      async ({ actor, params }) => questions.get(actor, params.examId, params.questionId),
    ),
    route(
      questionsApi.update,
      {
        summary: 'Replace a question (every field; the type may change, the position stays)',
        tags,
        access,
        responses: { 200: { description: 'Updated' }, 400: invalid, 404: notYours, 409: locked },
      },
      async ({ caller, params, body }) => questions.update(caller, params.examId, params.questionId, body),
    ),
    route(
      questionsApi.remove,
      {
        summary: 'Delete a question; later questions move up',
        tags,
        access,
        responses: { 204: { description: 'Deleted' }, 404: notYours, 409: locked },
      },
      async ({ caller, params }) => questions.remove(caller, params.examId, params.questionId),
    ),
  ];
}
