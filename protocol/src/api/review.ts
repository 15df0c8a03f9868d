// HTTP contracts of the attempt review: reviewers' list, trail and decisions, alert actions,
// the student's view and appeal, and the teacher's resolution.
import { endpoint } from '../http.ts';
import { examIdParamsSchema, idParamsSchema } from '../exams.ts';
import {
  alertActionBodySchema,
  appealBodySchema,
  appealSchema,
  attemptTrailSchema,
  resolveAppealBodySchema,
  attemptAlertSchema,
  reviewDecisionBodySchema,
  reviewQueueSchema,
  studentReviewSchema,
} from '../review.ts';

export const reviewApi = {
  queue: endpoint({
    method: 'get',
    path: '/api/exams/:examId/review',
    params: examIdParamsSchema,
    response: reviewQueueSchema,
  }),
  trail: endpoint({
    method: 'get',
    path: '/api/review/attempts/:id',
    params: idParamsSchema,
    response: attemptTrailSchema,
  }),
  decide: endpoint({
    method: 'post',
    path: '/api/review/attempts/:id/decision',
    params: idParamsSchema,
    body: reviewDecisionBodySchema,
    response: attemptTrailSchema,
  }),
  alertAction: endpoint({
    method: 'post',
    path: '/api/review/alerts/:id/action',
    params: idParamsSchema,
    body: alertActionBodySchema,
    response: attemptAlertSchema,
  }),
  resolveAppeal: endpoint({
    method: 'post',
    path: '/api/review/attempts/:id/appeal/resolution',
    params: idParamsSchema,
    body: resolveAppealBodySchema,
    response: appealSchema,
  }),
  mine: endpoint({
    method: 'get',
    path: '/api/attempts/:id/review',
    params: idParamsSchema,
    response: studentReviewSchema,
  }),
  appeal: endpoint({
    method: 'post',
    path: '/api/attempts/:id/appeal',
    params: idParamsSchema,
    body: appealBodySchema,
    status: 201,
    response: appealSchema,
  }),
};
