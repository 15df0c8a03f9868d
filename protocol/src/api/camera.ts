// HTTP contracts of camera proctoring: the lobby's consent and camera check, the exam
// page's setup, evidence upload by the student, and the proctor's signed evidence address.
import { z } from 'zod';
import { endpoint } from '../http.ts';
import { idParamsSchema } from '../exams.ts';
import {
  cameraCheckBodySchema,
  cameraCheckSchema,
  cameraSetupSchema,
  evidenceFetchQuerySchema,
  evidenceSchema,
  evidenceUploadQuerySchema,
  evidenceUrlSchema,
} from '../camera.ts';

export const cameraApi = {
  /** Student (attempt cookie or session): consent and the camera check's outcome, before Start. */
  check: endpoint({
    method: 'post',
    path: '/api/attempts/:id/camera-check',
    params: idParamsSchema,
    body: cameraCheckBodySchema,
    response: cameraCheckSchema,
  }),
  /** Student: what the exam page's detector needs (settings, consent, identity reference). */
  setup: endpoint({
    method: 'get',
    path: '/api/attempts/:id/camera',
    params: idParamsSchema,
    response: cameraSetupSchema,
  }),
  /** Student: one JPEG frame (raw body, image/jpeg) for the alert with this clientEventId. */
  uploadEvidence: endpoint({
    method: 'post',
    path: '/api/attempts/:id/evidence',
    params: idParamsSchema,
    query: evidenceUploadQuerySchema,
    status: 201,
    response: evidenceSchema,
  }),
  /** Proctor, teacher or admin of the exam: a signed address for one frame, valid 60 s, for the caller only. */
  evidenceUrl: endpoint({
    method: 'post',
    path: '/api/evidence/:id/url',
    params: idParamsSchema,
    response: evidenceUrlSchema,
  }),
  /** The frame itself (image/jpeg), with the signed address's exp and sig; the JSON schema covers errors only. */
  evidenceImage: endpoint({
    method: 'get',
    path: '/api/evidence/:id',
    params: idParamsSchema,
    query: evidenceFetchQuerySchema,
    response: z.unknown(),
  }),
};
