// HTTP contracts of zoom: method, path, params, query, body and answer of each endpoint.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import { idParamsSchema } from '../exams.ts';
import {
  createZoomMeetingSchema,
  linkZoomMeetingSchema,
  meetingRegistrantsSchema,
  myZoomMeetingSchema,
  registerStudentsSchema,
  registrationSummarySchema,
  updateAttendanceRulesSchema,
  zoomMeetingListQuerySchema,
  zoomMeetingSchema,
} from '../zoom.ts';

export const zoomMeetingListSchema = z.array(zoomMeetingSchema);
export const myZoomMeetingListSchema = z.array(myZoomMeetingSchema);

export const zoomApi = {
  createMeeting: endpoint({
    method: 'post',
    path: '/api/zoom/meetings',
    body: createZoomMeetingSchema,
    status: 201,
    response: zoomMeetingSchema,
  }),
  linkMeeting: endpoint({
    method: 'post',
    path: '/api/zoom/meetings/link',
    body: linkZoomMeetingSchema,
    status: 201,
    response: zoomMeetingSchema,
  }),
  listMeetings: endpoint({
    method: 'get',
    path: '/api/zoom/meetings',
    query: zoomMeetingListQuerySchema,
    response: zoomMeetingListSchema,
  }),
  getMeeting: endpoint({
    method: 'get',
    path: '/api/zoom/meetings/:id',
    params: idParamsSchema,
    response: zoomMeetingSchema,
  }),
  updateRules: endpoint({
    method: 'patch',
    path: '/api/zoom/meetings/:id/rules',
    params: idParamsSchema,
    body: updateAttendanceRulesSchema,
    response: zoomMeetingSchema,
  }),
  registerStudents: endpoint({
    method: 'post',
    path: '/api/zoom/meetings/:id/registrants',
    params: idParamsSchema,
    body: registerStudentsSchema,
    response: registrationSummarySchema,
  }),
  registrants: endpoint({
    method: 'get',
    path: '/api/zoom/meetings/:id/registrants',
    params: idParamsSchema,
    response: meetingRegistrantsSchema,
  }),
  myMeetings: endpoint({ method: 'get', path: '/api/me/zoom-meetings', response: myZoomMeetingListSchema }),
  webhooks: endpoint({ method: 'post', path: '/api/zoom/webhooks' }),
};
