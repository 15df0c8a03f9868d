// HTTP adapter of the LMS gradebook (AGS) and roster (NRPS) views: one service call per route.
import { ltiGradesApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { LtiAgsService } from './lti.ags.service.ts';
import type { LtiNrpsService } from './lti.nrps.service.ts';

const tags = ['lti'];
const access = ['teacher', 'admin'] as const;

export function ltiGradeRoutes(ags: LtiAgsService, nrps: LtiNrpsService) {
  return [
    route(
      ltiGradesApi.list,
      {
        summary:
          'Per-student LMS gradebook pushes (AGS) of the exam: status (pending, sent, failed), score, tries, the last error in words, when; linked false when the exam is not placed in any LMS course',
        tags,
        access,
        responses: { 200: { description: 'Grade pushes' }, 404: { description: 'No such exam of yours' } },
      },
      async ({ actor, params }) => ags.list(actor, params.examId),
    ),
    route(
      ltiGradesApi.resend,
      {
        summary:
          'Send one student’s score to the LMS again (queued; a second click within 30 s queues nothing). Audited',
        tags,
        access,
        responses: { 202: { description: 'Queued' }, 404: { description: 'No such exam or grade push of yours' } },
      },
      async ({ caller, params, res }) => {
        const out = await ags.resend(caller, params.examId, params.syncId);
        res.status(202);
        return out;
      },
    ),
    route(
      ltiGradesApi.resendFailed,
      {
        summary: 'Send every failed score of the exam to the LMS again (queued). Audited',
        tags,
        access,
        responses: { 202: { description: 'Queued' }, 404: { description: 'No such exam of yours' } },
      },
      async ({ caller, params, res }) => {
        const out = await ags.resendFailed(caller, params.examId);
        res.status(202);
        return out;
      },
    ),
    route(
      ltiGradesApi.roster,
      {
        summary:
          'The last roster sync (NRPS) of each LMS course linked to this course: state, when, counts (added, updated, dropped, total) or the error',
        tags,
        access,
        responses: { 200: { description: 'Roster syncs' }, 404: { description: 'No such course of yours' } },
      },
      async ({ actor, params }) => nrps.status(actor, params.courseId),
    ),
    route(
      ltiGradesApi.syncRoster,
      {
        summary:
          'Sync the roster from the LMS (NRPS): accounts for new members, enrolments, leavers dropped; runs as a job. Audited',
        tags,
        access,
        responses: {
          202: { description: 'Queued' },
          404: { description: 'No such course of yours' },
          409: { description: 'Not linked to an LMS course with a roster service, or a sync is already running' },
        },
      },
      async ({ caller, params, res }) => {
        const out = await nrps.sync(caller, params.courseId);
        res.status(202);
        return out;
      },
    ),
  ];
}
