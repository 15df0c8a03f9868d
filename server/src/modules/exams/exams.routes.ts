import { z } from 'zod';
import {
  examCreateSchema,
  examListQuerySchema,
  examSchema,
  examUpdateSchema,
  idParamsSchema,
} from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { ExamService } from './exams.service.ts';

const tags = ['exams'];
const access = ['teacher', 'admin'] as const;
const notYours = { description: 'No such exam of yours' };

export function examRoutes(exams: ExamService) {
  return [
    route(
      {
        method: 'get',
        path: '/api/exams',
        summary: 'Your exams, newest first (all exams for admins)',
        tags,
        access,
        query: examListQuerySchema,
        responses: { 200: { description: 'Exams', schema: z.object({ exams: z.array(examSchema) }) } },
      },
      async ({ actor, query }) => ({ exams: await exams.list(actor, query) }),
    ),
    route(
      {
        method: 'post',
        path: '/api/exams',
        summary: 'Create a draft exam with all its settings',
        tags,
        access,
        body: examCreateSchema,
        responses: { 201: { description: 'Created', schema: examSchema }, 400: { description: 'Invalid fields' } },
      },
      async ({ caller, body, res }) => {
        res.status(201);
        return exams.create(caller, body);
      },
    ),
    route(
      {
        method: 'get',
        path: '/api/exams/:id',
        summary: 'One exam',
        tags,
        access,
        params: idParamsSchema,
        responses: { 200: { description: 'Exam', schema: examSchema }, 404: notYours },
      },
      async ({ actor, params }) => exams.get(actor, params.id),
    ),
    route(
      {
        method: 'patch',
        path: '/api/exams/:id',
        summary: 'Change some settings of an exam',
        tags,
        access,
        params: idParamsSchema,
        body: examUpdateSchema,
        responses: {
          200: { description: 'Updated', schema: examSchema },
          400: { description: 'Invalid fields' },
          404: notYours,
        },
      },
      async ({ caller, params, body }) => exams.update(caller, params.id, body),
    ),
    route(
      {
        method: 'post',
        path: '/api/exams/:id/publish',
        summary: 'Publish: needs at least one question and an open window',
        tags,
        access,
        params: idParamsSchema,
        responses: {
          200: { description: 'Published', schema: examSchema },
          400: { description: 'Not ready' },
          404: notYours,
        },
      },
      async ({ caller, params }) => exams.publish(caller, params.id),
    ),
    route(
      {
        method: 'post',
        path: '/api/exams/:id/archive',
        summary: 'Archive: no new attempts; results stay',
        tags,
        access,
        params: idParamsSchema,
        responses: { 200: { description: 'Archived', schema: examSchema }, 404: notYours },
      },
      async ({ caller, params }) => exams.archive(caller, params.id),
    ),
    route(
      {
        method: 'delete',
        path: '/api/exams/:id',
        summary: 'Delete (soft): hidden everywhere, attempts and results kept',
        tags,
        access,
        params: idParamsSchema,
        responses: { 204: { description: 'Deleted' }, 404: notYours },
      },
      async ({ caller, params }) => exams.remove(caller, params.id),
    ),
  ];
}
