import { examCodeApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { ExamCodeService } from './participants.exam-code.ts';

export function examCodeRoutes(service: ExamCodeService) {
  return [
    route(
      examCodeApi.join,
      {
        summary:
          'Student: join an exam of one of your courses with its exam code; you become a participant (as if invited) and can enter its lobby with POST /api/exams/{examId}/attempts. Any miss answers the same 404; tries are rate-limited per account and per IP',
        tags: ['participants'],
        access: ['student'],
        responses: {
          200: { description: 'The exam you joined (joined: false when you already were a participant)' },
          403: { description: 'Your account is suspended' },
          404: { description: 'No exam with that code for your courses' },
          429: { description: 'Too many wrong exam codes; see Retry-After' },
        },
      },
      async ({ caller, body }) => service.join(caller, body.code),
    ),
  ];
}
