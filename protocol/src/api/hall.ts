// HTTP contracts of hall: method, path, params, query, body and answer of each endpoint.
import { endpoint } from '../http.ts';
import { watchableExamsResponseSchema } from '../hall.ts';

export const hallApi = {
  watchableExams: endpoint({ method: 'get', path: '/api/hall/exams', response: watchableExamsResponseSchema }),
};
