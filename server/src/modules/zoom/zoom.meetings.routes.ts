import { zoomApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { ZoomMeetingService } from './zoom.meetings.service.ts';

const tags = ['zoom'];
const access = ['teacher', 'admin'] as const;
const notYours = { description: 'No such meeting, exam or course of yours' };
const zoomProblems = {
  502: { description: 'Zoom refused the request (zoom_refused), with Zoom’s reason' },
  503: {
    description:
      'Zoom is not configured on this server (zoom_not_configured) or unreachable / rate limited (zoom_unavailable)',
  },
};

export function zoomMeetingRoutes(zoom: ZoomMeetingService) {
  return [
    route(
      zoomApi.createMeeting,
      {
        summary: 'Create a Zoom meeting with registration on, for an exam or a class session of a course',
        tags,
        access,
        responses: { 201: { description: 'Created' }, 404: notYours, ...zoomProblems },
      },
      async ({ caller, body, res }) => {
        const meeting = await zoom.create(caller, body);
        res.status(201);
        return meeting;
      },
    ),
    route(
      zoomApi.linkMeeting,
      {
        summary: 'Link a meeting that already exists in the Zoom account to an exam or a course',
        tags,
        access,
        responses: {
          201: { description: 'Linked' },
          400: { description: 'Invalid fields, or no such meeting in the Zoom account' },
          404: notYours,
          409: { description: 'The meeting is linked already' },
          ...zoomProblems,
        },
      },
      async ({ caller, body, res }) => {
        const meeting = await zoom.link(caller, body);
        res.status(201);
        return meeting;
      },
    ),
    route(
      zoomApi.listMeetings,
      {
        summary: 'Zoom meetings of an exam or of a course',
        tags,
        access,
        responses: { 200: { description: 'Meetings' }, 404: notYours },
      },
      async ({ actor, query }) => zoom.list(actor, query),
    ),
    route(
      zoomApi.getMeeting,
      { summary: 'One Zoom meeting', tags, access, responses: { 200: { description: 'Meeting' }, 404: notYours } },
      async ({ actor, params }) => zoom.get(actor, params.id),
    ),
    route(
      zoomApi.updateRules,
      {
        summary: 'Change the attendance rules (late after N minutes, partial below M percent)',
        tags,
        access,
        responses: { 200: { description: 'Updated' }, 404: notYours },
      },
      async ({ caller, params, body }) => zoom.updateRules(caller, params.id, body),
    ),
    route(
      zoomApi.registerStudents,
      {
        summary:
          'Register the whole class ({all: true}) or chosen students in Zoom; idempotent, one outcome per student',
        tags,
        access,
        responses: {
          200: { description: 'Per-student outcomes' },
          404: notYours,
          409: { description: 'Registration is off in Zoom, the meeting ended, or a registration run is in progress' },
          ...zoomProblems,
        },
      },
      async ({ caller, params, body }) => zoom.registration.register(caller, params.id, body),
    ),
    route(
      zoomApi.registrants,
      {
        summary: 'Expected students and where their Zoom registration stands',
        tags,
        access,
        responses: { 200: { description: 'Registrants' }, 404: notYours },
      },
      async ({ actor, params }) => ({ registrants: await zoom.registration.list(actor, params.id) }),
    ),
    route(
      zoomApi.myMeetings,
      {
        summary: 'Your personal Zoom join links (meetings that did not end more than a day ago)',
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'Join links' } },
      },
      async ({ actor }) => zoom.mine(actor),
    ),
  ];
}
