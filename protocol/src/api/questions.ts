// HTTP contracts of questions: method, path, params, query, body and answer of each endpoint.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import { examIdParamsSchema } from '../exams.ts';
import {
  questionCreateSchema,
  questionImportSchema,
  questionParamsSchema,
  questionReorderSchema,
  questionSchema,
  questionUpdateSchema,
  questionsDocumentSchema,
} from '../questions.ts';

export const questionListSchema = z.object({ questions: z.array(questionSchema) });
export const questionImportResponseSchema = questionListSchema.extend({ imported: z.number().int() });

export const questionsApi = {
  list: endpoint({
    method: 'get',
    path: '/api/exams/:examId/questions',
    params: examIdParamsSchema,
    response: questionListSchema,
  }),
  create: endpoint({
    method: 'post',
    path: '/api/exams/:examId/questions',
    params: examIdParamsSchema,
    body: questionCreateSchema,
    status: 201,
    response: questionSchema,
  }),
  export: endpoint({
    method: 'get',
    path: '/api/exams/:examId/questions/export',
    params: examIdParamsSchema,
    response: questionsDocumentSchema,
  }),
  reorder: endpoint({
    method: 'post',
    path: '/api/exams/:examId/questions/reorder',
    params: examIdParamsSchema,
    body: questionReorderSchema,
    response: questionListSchema,
  }),
  import: endpoint({
    method: 'post',
    path: '/api/exams/:examId/questions/import',
    params: examIdParamsSchema,
    body: questionImportSchema,
    response: questionImportResponseSchema,
  }),
  get: endpoint({
    method: 'get',
    path: '/api/exams/:examId/questions/:questionId',
    params: questionParamsSchema,
    response: questionSchema,
  }),
  update: endpoint({
    method: 'put',
    path: '/api/exams/:examId/questions/:questionId',
    params: questionParamsSchema,
    body: questionUpdateSchema,
    response: questionSchema,
  }),
  remove: endpoint({
    method: 'delete',
    path: '/api/exams/:examId/questions/:questionId',
    params: questionParamsSchema,
    status: 204,
  }),
};
