import { reviewApi } from '@exam-hall/protocol';
import { attemptCookieOf } from '../../http/actor.ts';
import { route } from '../../http/route.ts';
import type { ReviewService } from './review.service.ts';

const tags = ['review'];
const REVIEWERS = ['proctor', 'teacher', 'admin'] as const;

export function reviewRoutes(review: ReviewService) {
  return [
    route(
      reviewApi.queue,
      {
        summary: 'Attempts of the exam that need (or had) a proctoring review, waiting ones first',
        tags,
        access: REVIEWERS,
        responses: { 200: { description: 'The review list' }, 404: { description: 'No such exam you may proctor' } },
      },
      async ({ caller, params }) => review.queue(caller, params.examId),
    ),
    route(
      reviewApi.trail,
      {
        summary: "One attempt's review: alerts with their actions, decisions, the appeal, all in time order",
        tags,
        access: REVIEWERS,
        responses: { 200: { description: 'The trail' }, 404: { description: 'No such attempt you may review' } },
      },
      async ({ caller, params }) => review.trail(caller, params.id),
    ),
    route(
      reviewApi.decide,
      {
        summary: 'Record the review decision (approved, flagged or rejected) with a note the student reads',
        tags,
        access: REVIEWERS,
        responses: {
          200: { description: 'Recorded; the new trail' },
          404: { description: 'No such attempt you may review' },
          409: { description: 'The attempt has not ended, or the student appealed' },
        },
      },
      async ({ caller, params, body }) => review.decide(caller, params.id, body),
    ),
    route(
      reviewApi.alertAction,
      {
        summary: 'Record what was done about an alert (ignored, warning sent, session flagged or terminated)',
        tags,
        access: REVIEWERS,
        responses: {
          200: { description: 'Recorded' },
          404: { description: 'No such alert you may review' },
          409: { description: 'session_terminated for an attempt that was not terminated' },
        },
      },
      async ({ caller, params, body }) => review.alertAction(caller, params.id, body.action),
    ),
    route(
      reviewApi.resolveAppeal,
      {
        summary: "Resolve the student's appeal: upheld (the decision stands) or overturned (approved)",
        tags,
        access: ['teacher', 'admin'],
        responses: {
          200: { description: 'Resolved' },
          404: { description: 'No such attempt or appeal you may resolve' },
          409: { description: 'Already resolved' },
        },
      },
      async ({ caller, params, body }) => review.resolveAppeal(caller, params.id, body),
    ),
    route(
      reviewApi.mine,
      {
        summary: 'Your attempt’s proctoring review: the decision, its note and your appeal',
        tags,
        access: 'public',
        responses: { 200: { description: 'The review' }, 404: { description: 'Not yours' } },
      },
      async ({ actor, params, req }) => review.mine({ actor, attemptCookie: attemptCookieOf(req) }, params.id),
    ),
    route(
      reviewApi.appeal,
      {
        summary: 'Appeal a flagged or rejected review decision, once, with a message',
        tags,
        access: 'public',
        responses: {
          201: { description: 'Appeal sent' },
          404: { description: 'Not yours' },
          409: { description: 'Already appealed, or nothing to appeal' },
        },
      },
      async ({ actor, params, body, req, res }) => {
        const appeal = await review.appeal(
          { actor, attemptCookie: attemptCookieOf(req) },
          { ip: req.ip ?? 'unknown', requestId: String(req.id ?? '') },
          params.id,
          body,
        );
        res.status(201);
        return appeal;
      },
    ),
  ];
}
