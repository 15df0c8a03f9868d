import { cameraApi } from '@exam-hall/protocol';
import { attemptCookieOf } from '../../http/actor.ts';
import { route } from '../../http/route.ts';
import type { CameraService } from './camera.service.ts';

const tags = ['camera'];

export function cameraRoutes(camera: CameraService) {
  return [
    route(
      cameraApi.check,
      {
        summary:
          "The lobby's consent and camera check of an exam that uses the camera, before Start (repeating it replaces the previous one); for the attempt's owner or the holder of its attempt cookie. Identity mode stores the face description, never a photo",
        tags,
        access: 'public',
        responses: {
          200: { description: 'The stored check' },
          400: { description: 'A face description missing (identity mode) or not allowed (presence mode, denied)' },
          404: { description: 'Not yours' },
          409: { description: 'The exam does not use the camera (camera_not_used), or the attempt has started' },
          429: { description: 'Too many checks for this attempt; see Retry-After' },
        },
      },
      async ({ actor, params, body, req }) =>
        camera.check(params.id, { actor, attemptCookie: attemptCookieOf(req) }, body, {
          ip: req.ip ?? 'unknown',
          requestId: String(req.id ?? ''),
        }),
    ),
    route(
      cameraApi.setup,
      {
        summary:
          "What the exam page's camera detector needs: the exam's camera settings, the consent time and, in identity mode, the face description from the lobby; for the attempt's owner or the holder of its attempt cookie",
        tags,
        access: 'public',
        responses: { 200: { description: 'Camera setup' }, 404: { description: 'Not yours' } },
      },
      async ({ actor, params, req }) => camera.setup(params.id, { actor, attemptCookie: attemptCookieOf(req) }),
    ),
  ];
}
