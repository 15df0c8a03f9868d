// HTTP contracts of the LMS gradebook (AGS) and roster (NRPS) services.
import { endpoint } from '../http.ts';
import { examIdParamsSchema } from '../exams.ts';
import { z } from 'zod';
import {
  courseRosterSyncsSchema,
  examGradeSyncsSchema,
  gradeResendResultSchema,
  gradeSyncParamsSchema,
  rosterSyncQueuedSchema,
} from '../lti-grades.ts';

const courseIdParamsSchema = z.object({ courseId: z.uuid('courseId must be a UUID') });

export const ltiGradesApi = {
  list: endpoint({
    method: 'get',
    path: '/api/exams/:examId/lti-grades',
    params: examIdParamsSchema,
    response: examGradeSyncsSchema,
  }),
  resend: endpoint({
    method: 'post',
    path: '/api/exams/:examId/lti-grades/:syncId/resend',
    params: gradeSyncParamsSchema,
    status: 202,
    response: gradeResendResultSchema,
  }),
  resendFailed: endpoint({
    method: 'post',
    path: '/api/exams/:examId/lti-grades/resend-failed',
    params: examIdParamsSchema,
    status: 202,
    response: gradeResendResultSchema,
  }),
  roster: endpoint({
    method: 'get',
    path: '/api/courses/:courseId/lti-roster',
    params: courseIdParamsSchema,
    response: courseRosterSyncsSchema,
  }),
  syncRoster: endpoint({
    method: 'post',
    path: '/api/courses/:courseId/lti-roster/sync',
    params: courseIdParamsSchema,
    status: 202,
    response: rosterSyncQueuedSchema,
  }),
};
