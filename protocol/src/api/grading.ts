// HTTP contracts of grading by hand: the queue, the answer sheet, a mark, a re-mark request.
import { endpoint } from '../http.ts';
import { examIdParamsSchema } from '../exams.ts';
import {
  answerSheetSchema,
  gradingAnswerParamsSchema,
  gradingAttemptParamsSchema,
  gradingQueueSchema,
  markInputSchema,
  markSavedSchema,
  remarkInputSchema,
  remarkQueuedSchema,
} from '../grading.ts';

export const gradingApi = {
  queue: endpoint({
    method: 'get',
    path: '/api/exams/:examId/grading',
    params: examIdParamsSchema,
    response: gradingQueueSchema,
  }),
  sheet: endpoint({
    method: 'get',
    path: '/api/exams/:examId/grading/:attemptId',
    params: gradingAttemptParamsSchema,
    response: answerSheetSchema,
  }),
  mark: endpoint({
    method: 'put',
    path: '/api/exams/:examId/grading/:attemptId/questions/:questionId',
    params: gradingAnswerParamsSchema,
    body: markInputSchema,
    response: markSavedSchema,
  }),
  remark: endpoint({
    method: 'post',
    path: '/api/exams/:examId/grading/:attemptId/questions/:questionId/remark',
    params: gradingAnswerParamsSchema,
    body: remarkInputSchema,
    response: remarkQueuedSchema,
  }),
};
