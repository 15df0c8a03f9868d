// HTTP contracts of participants: method, path, params, query, body and answer of each endpoint.
import { endpoint } from '../http.ts';
import { examIdParamsSchema } from '../exams.ts';
import {
  codeRegeneratedSchema,
  codeSlipsQuerySchema,
  codesExportBodySchema,
  codesReissueBodySchema,
  codesReissuePreviewSchema,
  participantAddSchema,
  participantAddedSchema,
  participantImportResultSchema,
  participantListQuerySchema,
  participantListSchema,
  participantParamsSchema,
  userSearchQuerySchema,
  userSearchResultSchema,
} from '../participants.ts';

export const participantsApi = {
  list: endpoint({
    method: 'get',
    path: '/api/exams/:examId/participants',
    params: examIdParamsSchema,
    query: participantListQuerySchema,
    response: participantListSchema,
  }),
  add: endpoint({
    method: 'post',
    path: '/api/exams/:examId/participants',
    params: examIdParamsSchema,
    body: participantAddSchema,
    status: 201,
    response: participantAddedSchema,
  }),
  import: endpoint({
    method: 'post',
    path: '/api/exams/:examId/participants/import',
    params: examIdParamsSchema,
    response: participantImportResultSchema,
  }),
  exportCsv: endpoint({
    method: 'get',
    path: '/api/exams/:examId/participants/export.csv',
    params: examIdParamsSchema,
  }),
  exportCodes: endpoint({
    method: 'post',
    path: '/api/exams/:examId/participants/codes/export',
    params: examIdParamsSchema,
    body: codesExportBodySchema,
  }),
  codeSlips: endpoint({
    method: 'get',
    path: '/api/exams/:examId/participants/codes/slips.pdf',
    params: examIdParamsSchema,
    query: codeSlipsQuerySchema,
  }),
  reissuePreview: endpoint({
    method: 'get',
    path: '/api/exams/:examId/participants/codes/reissue',
    params: examIdParamsSchema,
    response: codesReissuePreviewSchema,
  }),
  reissue: endpoint({
    method: 'post',
    path: '/api/exams/:examId/participants/codes/reissue',
    params: examIdParamsSchema,
    body: codesReissueBodySchema,
  }),
  regenerateCode: endpoint({
    method: 'post',
    path: '/api/exams/:examId/participants/:participantId/code',
    params: participantParamsSchema,
    response: codeRegeneratedSchema,
  }),
  remove: endpoint({
    method: 'delete',
    path: '/api/exams/:examId/participants/:participantId',
    params: participantParamsSchema,
    status: 204,
  }),
  searchUsers: endpoint({
    method: 'get',
    path: '/api/users/search',
    query: userSearchQuerySchema,
    response: userSearchResultSchema,
  }),
};
