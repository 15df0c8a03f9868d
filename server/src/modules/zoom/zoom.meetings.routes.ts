import { z } from 'zod';
import {
  createZoomMeetingSchema,
  idParamsSchema,
  linkZoomMeetingSchema,
  meetingRegistrantsSchema,
  myZoomMeetingSchema,
  registerStudentsSchema,
  registrationSummarySchema,
  updateAttendanceRulesSchema,
  zoomMeetingListQuerySchema,
  zoomMeetingSchema,
} from '@exam-hall/protocol';
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
      {
        method: 'post',
        path: '/api/zoom/meetings',
        summary: 'Create a Zoom meeting with registration on, for an exam or a class session of a course',
        tags,
        access,
        body: createZoomMeetingSchema,
        responses: { 201: { description: 'Created', schema: zoomMeetingSchema }, 404: notYours, ...zoomProblems },
      },
      async ({ caller, body, res }) => {
        const meeting = await zoom.create(caller, body);
        res.status(201);
        return meeting;
      },
    ),
    route(
      {
        method: 'post',
        path: '/api/zoom/meetings/link',
        summary: 'Link a meeting that already exists in the Zoom account to an exam or a course',
        tags,
        access,
        body: linkZoomMeetingSchema,
        responses: {
          201: { description: 'Linked', schema: zoomMeetingSchema },
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
      {
        method: 'get',
        path: '/api/zoom/meetings',
        summary: 'Zoom meetings of an exam or of a course',
        tags,
        access,
        query: zoomMeetingListQuerySchema,
        responses: { 200: { description: 'Meetings', schema: z.array(zoomMeetingSchema) }, 404: notYours },
      },
      async ({ actor, query }) => zoom.list(actor, query),
    ),
    route(
      {
        method: 'get',
        path: '/api/zoom/meetings/:id',
        summary: 'One Zoom meeting',
        tags,
        access,
        params: idParamsSchema,
        responses: { 200: { description: 'Meeting', schema: zoomMeetingSchema }, 404: notYours },
      },
      async ({ actor, params }) => zoom.get(actor, params.id),
    ),
    route(
      {
        method: 'patch',
        path: '/api/zoom/meetings/:id/rules',
        summary: 'Change the attendance rules (late after N minutes, partial below M percent)',
        tags,
        access,
        params: idParamsSchema,
        body: updateAttendanceRulesSchema,
        responses: { 200: { description: 'Updated', schema: zoomMeetingSchema }, 404: notYours },
      },
      async ({ caller, params, body }) => zoom.updateRules(caller, params.id, body),
    ),
    route(
      {
        method: 'post',
        path: '/api/zoom/meetings/:id/registrants',
        summary:
          'Register the whole class ({all: true}) or chosen students in Zoom; idempotent, one outcome per student',
        tags,
        access,
        params: idParamsSchema,
        body: registerStudentsSchema,
        responses: {
          200: { description: 'Per-student outcomes', schema: registrationSummarySchema },
          404: notYours,
          409: { description: 'Registration is off in Zoom, the meeting ended, or a registration run is in progress' },
          ...zoomProblems,
        },
      },
      async ({ caller, params, body }) => zoom.registration.register(caller, params.id, body),
    ),
    route(
      {
        method: 'get',
        path: '/api/zoom/meetings/:id/registrants',
        summary: 'Expected students and where their Zoom registration stands',
        tags,
        access,
        params: idParamsSchema,
        responses: { 200: { description: 'Registrants', schema: meetingRegistrantsSchema }, 404: notYours },
      },
      async ({ actor, params }) => ({ registrants: await zoom.registration.list(actor, params.id) }),
    ),
    route(
      {
        method: 'get',
        path: '/api/me/zoom-meetings',
        summary: 'Your personal Zoom join links (meetings that did not end more than a day ago)',
        tags,
        access: 'signed-in',
        responses: { 200: { description: 'Join links', schema: z.array(myZoomMeetingSchema) } },
      },
      async ({ actor }) => zoom.mine(actor),
    ),
  ];
}
