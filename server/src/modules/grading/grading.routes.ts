import { gradingApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { GradingService } from './grading.manual.service.ts';

const tags = ['grading'];
const access = ['teacher', 'admin'] as const;

export function gradingRoutes(grading: GradingService) {
  return [
    route(
      gradingApi.queue,
      {
        summary:
          'The exam’s hand-grading queue: answers waiting for a mark (essays, re-mark requests) by attempt and by question, with counts. With blind grading, candidates are labelled "Candidate N" and no name or email is sent',
        tags,
        access,
        responses: { 200: { description: 'The queue' }, 404: { description: 'No such exam of yours' } },
      },
      async ({ actor, params }) => grading.queue(actor, params.examId),
    ),
    route(
      gradingApi.sheet,
      {
        summary:
          'One attempt’s full answer sheet: every question with the response, the automatic mark, the key, the hand mark, feedback, rubric marks, who marked and when',
        tags,
        access,
        responses: {
          200: { description: 'The answer sheet' },
          404: { description: 'No such attempt in an exam of yours' },
        },
      },
      async ({ actor, params }) => grading.sheet(actor, params.examId, params.attemptId),
    ),
    route(
      gradingApi.mark,
      {
        summary:
          'Mark one answer by hand (0..its points, 2 decimals) with feedback and, for essays, rubric marks; the attempt is regraded, and the last mark waiting makes the result final, releases it and evaluates the certificate. Audited (no answer text)',
        tags,
        access,
        responses: {
          200: { description: 'The marked item and the attempt’s pending count and score' },
          400: { description: 'Points above what the question is worth, bad rubric marks, feedback too long' },
          404: { description: 'No such attempt or question in an exam of yours' },
          409: {
            description:
              'Someone else marked the answer since basedOn (with other points), or the attempt is not gradable',
          },
        },
      },
      async ({ caller, params, body }) => grading.mark(caller, params, body),
    ),
    route(
      gradingApi.remark,
      {
        summary:
          'Ask for an answer to be marked again by hand: it joins the queue and the attempt’s result waits until it is marked. Idempotent. Audited',
        tags,
        access,
        responses: {
          200: { description: 'Queued (now or before)' },
          404: { description: 'No such attempt or question in an exam of yours' },
          409: { description: 'The attempt is not graded yet, or was abandoned or terminated' },
        },
      },
      async ({ caller, params, body }) => grading.remark(caller, params, body),
    ),
  ];
}
