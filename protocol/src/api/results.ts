// HTTP contracts of results: method, path, params, query, body and answer of each endpoint.
import { endpoint } from '../http.ts';
import { examIdParamsSchema, idParamsSchema } from '../exams.ts';
import {
  examResultsSchema,
  questionStatsResponseSchema,
  resultsReleasedSchema,
  scoreOverriddenSchema,
  scoreOverrideSchema,
} from '../results.ts';

export const resultsApi = {
  table: endpoint({
    method: 'get',
    path: '/api/exams/:examId/results',
    params: examIdParamsSchema,
    response: examResultsSchema,
  }),
  csv: endpoint({ method: 'get', path: '/api/exams/:examId/results.csv', params: examIdParamsSchema }),
  release: endpoint({
    method: 'post',
    path: '/api/exams/:examId/results/release',
    params: examIdParamsSchema,
    response: resultsReleasedSchema,
  }),
  questionStats: endpoint({
    method: 'get',
    path: '/api/exams/:examId/results/questions',
    params: examIdParamsSchema,
    response: questionStatsResponseSchema,
  }),
  overrideScore: endpoint({
    method: 'post',
    path: '/api/attempts/:id/score-override',
    params: idParamsSchema,
    body: scoreOverrideSchema,
    response: scoreOverriddenSchema,
  }),
};
