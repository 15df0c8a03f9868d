// HTTP contracts of accommodations: extra time, own window and extra attempts per participant.
import { endpoint } from '../http.ts';
import { examIdParamsSchema } from '../exams.ts';
import { participantParamsSchema } from '../participants.ts';
import {
  accommodationInputSchema,
  accommodationListSchema,
  accommodationSavedSchema,
  accommodationSchema,
} from '../accommodations.ts';

export const accommodationsApi = {
  list: endpoint({
    method: 'get',
    path: '/api/exams/:examId/accommodations',
    params: examIdParamsSchema,
    response: accommodationListSchema,
  }),
  get: endpoint({
    method: 'get',
    path: '/api/exams/:examId/participants/:participantId/accommodation',
    params: participantParamsSchema,
    response: accommodationSchema,
  }),
  set: endpoint({
    method: 'put',
    path: '/api/exams/:examId/participants/:participantId/accommodation',
    params: participantParamsSchema,
    body: accommodationInputSchema,
    response: accommodationSavedSchema,
  }),
  clear: endpoint({
    method: 'delete',
    path: '/api/exams/:examId/participants/:participantId/accommodation',
    params: participantParamsSchema,
    response: accommodationSavedSchema,
  }),
};
