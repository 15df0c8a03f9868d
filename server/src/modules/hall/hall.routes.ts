import { hallApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { ExamService } from '../exams/exams.service.ts';

export function hallRoutes(exams: ExamService) {
  return [
    route(
      hallApi.watchableExams,
      {
        summary: 'Published exams you may proctor, with how many attempts are in progress',
        tags: ['hall'],
        access: ['proctor', 'teacher', 'admin'],
        responses: { 200: { description: 'Exams' } },
      },
      async ({ actor }) => ({ exams: await exams.watchable(actor) }),
    ),
  ];
}
