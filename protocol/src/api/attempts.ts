// HTTP contracts of attempts: method, path, params, query, body and answer of each endpoint.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import {
  attemptLobbySchema,
  attemptResponseSchema,
  hallLobbySchema,
  myExamSchema,
  startWithCodeBodySchema,
} from '../attempts.ts';
import { examIdParamsSchema, idParamsSchema } from '../exams.ts';
import { resumeCodeResponseSchema, resumeWithCodeBodySchema } from '../hall.ts';
import { attemptResultSchema } from '../results.ts';

/** The student's exams (GET /api/my/exams). */
export const myExamListSchema = z.object({ exams: z.array(myExamSchema) });

export const attemptsApi = {
  startWithCode: endpoint({
    method: 'post',
    path: '/api/attempts/start',
    body: startWithCodeBodySchema,
    status: 201,
    response: attemptResponseSchema,
  }),
  resumeWithCode: endpoint({
    method: 'post',
    path: '/api/attempts/resume',
    body: resumeWithCodeBodySchema,
    response: attemptResponseSchema,
  }),
  issueResumeCode: endpoint({
    method: 'post',
    path: '/api/attempts/:id/resume-codes',
    params: idParamsSchema,
    status: 201,
    response: resumeCodeResponseSchema,
  }),
  startSignedIn: endpoint({
    method: 'post',
    path: '/api/exams/:examId/attempts',
    params: examIdParamsSchema,
    status: 201,
    response: attemptResponseSchema,
  }),
  get: endpoint({ method: 'get', path: '/api/attempts/:id', params: idParamsSchema, response: attemptResponseSchema }),
  lobby: endpoint({
    method: 'get',
    path: '/api/attempts/:id/lobby',
    params: idParamsSchema,
    response: attemptLobbySchema,
  }),
  begin: endpoint({
    method: 'post',
    path: '/api/attempts/:id/begin',
    params: idParamsSchema,
    response: attemptResponseSchema,
  }),
  hallLobby: endpoint({
    method: 'get',
    path: '/api/exams/:examId/hall/lobby',
    params: examIdParamsSchema,
    response: hallLobbySchema,
  }),
  openHall: endpoint({
    method: 'post',
    path: '/api/exams/:examId/hall/open',
    params: examIdParamsSchema,
    response: hallLobbySchema,
  }),
  result: endpoint({
    method: 'get',
    path: '/api/attempts/:id/result',
    params: idParamsSchema,
    response: attemptResultSchema,
  }),
  myExams: endpoint({ method: 'get', path: '/api/my/exams', response: myExamListSchema }),
};
