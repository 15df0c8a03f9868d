// HTTP contracts of courses: method, path, params, query, body and answer of each endpoint.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import {
  courseInputSchema,
  courseListQuerySchema,
  courseSchema,
  enrollmentAddSchema,
  enrollmentAddedSchema,
  enrollmentImportResultSchema,
  enrollmentListQuerySchema,
  enrollmentListSchema,
  enrollmentParamsSchema,
  examProctorsSchema,
} from '../courses.ts';
import { examIdParamsSchema, idParamsSchema } from '../exams.ts';

export const courseListResponseSchema = z.object({ courses: z.array(courseSchema) });

export const coursesApi = {
  list: endpoint({
    method: 'get',
    path: '/api/courses',
    query: courseListQuerySchema,
    response: courseListResponseSchema,
  }),
  create: endpoint({
    method: 'post',
    path: '/api/courses',
    body: courseInputSchema,
    status: 201,
    response: courseSchema,
  }),
  get: endpoint({ method: 'get', path: '/api/courses/:id', params: idParamsSchema, response: courseSchema }),
  update: endpoint({
    method: 'put',
    path: '/api/courses/:id',
    params: idParamsSchema,
    body: courseInputSchema,
    response: courseSchema,
  }),
  archive: endpoint({
    method: 'post',
    path: '/api/courses/:id/archive',
    params: idParamsSchema,
    response: courseSchema,
  }),
  unarchive: endpoint({
    method: 'post',
    path: '/api/courses/:id/unarchive',
    params: idParamsSchema,
    response: courseSchema,
  }),
  enrollments: endpoint({
    method: 'get',
    path: '/api/courses/:id/enrollments',
    params: idParamsSchema,
    query: enrollmentListQuerySchema,
    response: enrollmentListSchema,
  }),
  enrol: endpoint({
    method: 'post',
    path: '/api/courses/:id/enrollments',
    params: idParamsSchema,
    body: enrollmentAddSchema,
    response: enrollmentAddedSchema,
  }),
  importEnrollments: endpoint({
    method: 'post',
    path: '/api/courses/:id/enrollments/import',
    params: idParamsSchema,
    response: enrollmentImportResultSchema,
  }),
  unenrol: endpoint({
    method: 'delete',
    path: '/api/courses/:id/enrollments/:userId',
    params: enrollmentParamsSchema,
    status: 204,
  }),
  examProctors: endpoint({
    method: 'get',
    path: '/api/exams/:examId/proctors',
    params: examIdParamsSchema,
    response: examProctorsSchema,
  }),
};
