// HTTP contracts of exams: method, path, params, query, body and answer of each endpoint.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import { examCreateSchema, examListQuerySchema, examSchema, examUpdateSchema, idParamsSchema } from '../exams.ts';

export const examListResponseSchema = z.object({ exams: z.array(examSchema) });

export const examsApi = {
  list: endpoint({ method: 'get', path: '/api/exams', query: examListQuerySchema, response: examListResponseSchema }),
  create: endpoint({ method: 'post', path: '/api/exams', body: examCreateSchema, status: 201, response: examSchema }),
  get: endpoint({ method: 'get', path: '/api/exams/:id', params: idParamsSchema, response: examSchema }),
  update: endpoint({
    method: 'patch',
    path: '/api/exams/:id',
    params: idParamsSchema,
    body: examUpdateSchema,
    response: examSchema,
  }),
  publish: endpoint({ method: 'post', path: '/api/exams/:id/publish', params: idParamsSchema, response: examSchema }),
  archive: endpoint({ method: 'post', path: '/api/exams/:id/archive', params: idParamsSchema, response: examSchema }),
  remove: endpoint({ method: 'delete', path: '/api/exams/:id', params: idParamsSchema, status: 204 }),
};
