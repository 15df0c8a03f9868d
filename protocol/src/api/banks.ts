// HTTP contracts of question banks, their questions and statistics, and exam sections.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import { examIdParamsSchema } from '../exams.ts';
import { questionCreateSchema, questionReorderSchema, questionSchema, questionUpdateSchema } from '../questions.ts';
import {
  bankIdParamsSchema,
  bankInputSchema,
  bankQuestionParamsSchema,
  bankSchema,
  bankStatsSchema,
  courseIdParamsSchema,
  sectionInputSchema,
  sectionListSchema,
  sectionParamsSchema,
  sectionReorderSchema,
  sectionSchema,
} from '../banks.ts';

export const bankListSchema = z.object({ banks: z.array(bankSchema) });
export const bankQuestionListSchema = z.object({ questions: z.array(questionSchema) });

export const banksApi = {
  list: endpoint({
    method: 'get',
    path: '/api/courses/:courseId/banks',
    params: courseIdParamsSchema,
    response: bankListSchema,
  }),
  create: endpoint({
    method: 'post',
    path: '/api/courses/:courseId/banks',
    params: courseIdParamsSchema,
    body: bankInputSchema,
    status: 201,
    response: bankSchema,
  }),
  get: endpoint({ method: 'get', path: '/api/banks/:bankId', params: bankIdParamsSchema, response: bankSchema }),
  update: endpoint({
    method: 'put',
    path: '/api/banks/:bankId',
    params: bankIdParamsSchema,
    body: bankInputSchema,
    response: bankSchema,
  }),
  remove: endpoint({ method: 'delete', path: '/api/banks/:bankId', params: bankIdParamsSchema, status: 204 }),
  stats: endpoint({
    method: 'get',
    path: '/api/banks/:bankId/stats',
    params: bankIdParamsSchema,
    response: bankStatsSchema,
  }),
  questions: endpoint({
    method: 'get',
    path: '/api/banks/:bankId/questions',
    params: bankIdParamsSchema,
    response: bankQuestionListSchema,
  }),
  addQuestion: endpoint({
    method: 'post',
    path: '/api/banks/:bankId/questions',
    params: bankIdParamsSchema,
    body: questionCreateSchema,
    status: 201,
    response: questionSchema,
  }),
  reorderQuestions: endpoint({
    method: 'post',
    path: '/api/banks/:bankId/questions/reorder',
    params: bankIdParamsSchema,
    body: questionReorderSchema,
    response: bankQuestionListSchema,
  }),
  updateQuestion: endpoint({
    method: 'put',
    path: '/api/banks/:bankId/questions/:questionId',
    params: bankQuestionParamsSchema,
    body: questionUpdateSchema,
    response: questionSchema,
  }),
  removeQuestion: endpoint({
    method: 'delete',
    path: '/api/banks/:bankId/questions/:questionId',
    params: bankQuestionParamsSchema,
    status: 204,
  }),
};

export const sectionsApi = {
  list: endpoint({
    method: 'get',
    path: '/api/exams/:examId/sections',
    params: examIdParamsSchema,
    response: sectionListSchema,
  }),
  create: endpoint({
    method: 'post',
    path: '/api/exams/:examId/sections',
    params: examIdParamsSchema,
    body: sectionInputSchema,
    status: 201,
    response: sectionSchema,
  }),
  reorder: endpoint({
    method: 'post',
    path: '/api/exams/:examId/sections/reorder',
    params: examIdParamsSchema,
    body: sectionReorderSchema,
    response: sectionListSchema,
  }),
  update: endpoint({
    method: 'put',
    path: '/api/exams/:examId/sections/:sectionId',
    params: sectionParamsSchema,
    body: sectionInputSchema,
    response: sectionSchema,
  }),
  remove: endpoint({
    method: 'delete',
    path: '/api/exams/:examId/sections/:sectionId',
    params: sectionParamsSchema,
    status: 204,
  }),
};
