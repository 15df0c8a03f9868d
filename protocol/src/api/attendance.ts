// HTTP contracts of attendance: method, path, params, query, body and answer of each endpoint.
import { endpoint } from '../http.ts';
import { attendanceDashboardSchema, attendanceMeetingParamsSchema, attendanceSyncQueuedSchema } from '../zoom.ts';

export const attendanceApi = {
  dashboard: endpoint({
    method: 'get',
    path: '/api/zoom/meetings/:meetingId/attendance',
    params: attendanceMeetingParamsSchema,
    response: attendanceDashboardSchema,
  }),
  csv: endpoint({
    method: 'get',
    path: '/api/zoom/meetings/:meetingId/attendance.csv',
    params: attendanceMeetingParamsSchema,
  }),
  sync: endpoint({
    method: 'post',
    path: '/api/zoom/meetings/:meetingId/sync',
    params: attendanceMeetingParamsSchema,
    status: 202,
    response: attendanceSyncQueuedSchema,
  }),
};
