import { attendanceApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { AttendanceService } from './attendance.service.ts';

const tags = ['attendance'];
const access = ['teacher', 'admin', 'proctor'] as const;
const notYours = {
  description: 'No such meeting, or you are not its session’s teacher, its host or an administrator',
};

export function attendanceRoutes(attendance: AttendanceService) {
  return [
    route(
      attendanceApi.dashboard,
      {
        summary:
          'Live attendance of a Zoom meeting: the expected roster against who is in Zoom or in the exam hall now, each person’s join/leave timeline, status by the meeting’s rules (from the synced report once there is one, else live webhooks), and a summary',
        tags,
        access,
        responses: {
          200: { description: 'The dashboard' },
          403: { description: 'Students never see attendance' },
          404: notYours,
        },
      },
      async ({ actor, params }) => attendance.dashboard(actor, params.meetingId),
    ),
    route(
      attendanceApi.csv,
      {
        summary:
          'The attendance as CSV, one row per person (name, email, expected, status, late, left early, first join, last leave, total minutes, segments, in Zoom now, in hall now); audited',
        tags,
        access,
        responses: { 200: { description: 'text/csv' }, 404: notYours },
      },
      async ({ caller, params, res }) => {
        const { csv, topic } = await attendance.exportCsv(caller, params.meetingId);
        const name =
          topic
            .replace(/[^\w-]+/g, '-')
            .replace(/^-+|-+$/g, '')
            .slice(0, 60) || 'meeting';
        res.type('text/csv; charset=utf-8');
        res.attachment(`attendance-${name}.csv`);
        res.send(csv);
      },
    ),
    route(
      attendanceApi.sync,
      {
        summary:
          'Queue a sync from Zoom’s participants report now (after the meeting ended); the dashboard is told when it is done',
        tags,
        access,
        responses: {
          202: { description: 'Queued' },
          404: notYours,
          409: { description: 'The meeting has not ended yet' },
          503: { description: 'Zoom is not configured on this server' },
        },
      },
      async ({ caller, params, res }) => {
        const queued = await attendance.requestSync(caller, params.meetingId);
        res.status(202);
        return queued;
      },
    ),
  ];
}
