import { accommodationsApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { AccommodationService } from './participants.accommodations.ts';

const tags = ['participants'];
const notYours = { description: 'No such exam of yours (or no such participant in it)' };
const saved = {
  description:
    'Saved; `applied` says how far a running attempt’s deadline moved (never to less than 1 minute left), or null',
};

export function accommodationRoutes(accommodations: AccommodationService) {
  return [
    route(
      accommodationsApi.list,
      {
        summary:
          'Participants of an exam with an accommodation (extra time, own window or extra attempts); teachers, admins and the exam’s proctors',
        tags,
        access: ['teacher', 'admin', 'proctor'],
        responses: { 200: { description: 'The accommodations' }, 404: notYours },
      },
      async ({ actor, params }) => accommodations.list(actor, params.examId),
    ),
    route(
      accommodationsApi.get,
      {
        summary: 'One participant’s accommodation (all zero and null when none)',
        tags,
        access: ['teacher', 'admin', 'proctor'],
        responses: { 200: { description: 'The accommodation' }, 404: notYours },
      },
      async ({ actor, params }) => accommodations.get(actor, params.examId, params.participantId),
    ),
    route(
      accommodationsApi.set,
      {
        summary:
          'Set a participant’s accommodation: extra time in minutes and/or percent of the duration, an own window replacing the exam’s (both ends, end after start), extra attempts. Replaces what was there; a running or paused attempt’s deadline moves at once by the difference and the student is told.',
        tags,
        access: ['teacher', 'admin'],
        responses: {
          200: saved,
          400: { description: 'A field out of range, or an own window with one end or ending before it starts' },
          404: notYours,
          409: { description: 'The exam is archived' },
        },
      },
      async ({ caller, params, body }) => accommodations.set(caller, params.examId, params.participantId, body),
    ),
    route(
      accommodationsApi.clear,
      {
        summary:
          'Remove a participant’s accommodation; a running attempt loses the extra time it had (never to less than 1 minute left)',
        tags,
        access: ['teacher', 'admin'],
        responses: { 200: saved, 404: notYours, 409: { description: 'The exam is archived' } },
      },
      async ({ caller, params }) => accommodations.clear(caller, params.examId, params.participantId),
    ),
  ];
}
