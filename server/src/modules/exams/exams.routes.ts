import { examsApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { ExamService } from './exams.service.ts';

const tags = ['exams'];
const access = ['teacher', 'admin'] as const;
const notYours = { description: 'No such exam of yours' };

export function examRoutes(exams: ExamService) {
  return [
    route(
      examsApi.list,
      {
        summary: 'Your exams, newest first (all exams for admins)',
        tags,
        access,
        responses: { 200: { description: 'Exams' } },
      },
      async ({ actor, query }) => ({ exams: await exams.list(actor, query) }),
    ),
    route(
      examsApi.create,
      {
        summary: 'Create a draft exam with all its settings',
        tags,
        access,
        responses: { 201: { description: 'Created' }, 400: { description: 'Invalid fields' } },
      },
      async ({ caller, body, res }) => {
        res.status(201);
        return exams.create(caller, body);
      },
    ),
    route(
      examsApi.get,
      { summary: 'One exam', tags, access, responses: { 200: { description: 'Exam' }, 404: notYours } },
      async ({ actor, params }) => exams.get(actor, params.id),
    ),
    route(
      examsApi.update,
      {
        summary: 'Change some settings of an exam',
        tags,
        access,
        responses: { 200: { description: 'Updated' }, 400: { description: 'Invalid fields' }, 404: notYours },
      },
      async ({ caller, params, body }) => exams.update(caller, params.id, body),
    ),
    route(
      examsApi.publish,
      {
        summary: 'Publish: needs at least one question and an open window',
        tags,
        access,
        responses: { 200: { description: 'Published' }, 400: { description: 'Not ready' }, 404: notYours },
      },
      async ({ caller, params }) => exams.publish(caller, params.id),
    ),
    route(
      examsApi.archive,
      {
        summary: 'Archive: no new attempts; results stay',
        tags,
        access,
        responses: { 200: { description: 'Archived' }, 404: notYours },
      },
      async ({ caller, params }) => exams.archive(caller, params.id),
    ),
    route(
      examsApi.remove,
      {
        summary: 'Delete (soft): hidden everywhere, attempts and results kept',
        tags,
        access,
        responses: { 204: { description: 'Deleted' }, 404: notYours },
      },
      async ({ caller, params }) => exams.remove(caller, params.id),
    ),
  ];
}
