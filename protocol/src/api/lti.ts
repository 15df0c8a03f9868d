// HTTP contracts of LTI 1.3 core: platform registration and the tool configuration
// (admins), key rotation, and the Deep Linking picker (the teacher who launched it).
// The LTI endpoints themselves (/lti/login, /lti/launch, /lti/jwks) are not JSON APIs:
// they speak OIDC form posts and redirects and are served outside /api.
import { endpoint } from '../http.ts';
import { idParamsSchema } from '../exams.ts';
import {
  ltiDeepLinkChoiceSchema,
  ltiDeepLinkParamsSchema,
  ltiDeepLinkRequestSchema,
  ltiDeepLinkResponseSchema,
  ltiKeyRotationSchema,
  ltiPlatformInputSchema,
  ltiPlatformListSchema,
  ltiPlatformSchema,
  ltiToolConfigurationSchema,
} from '../lti.ts';

export const ltiApi = {
  platforms: endpoint({ method: 'get', path: '/api/lti/platforms', response: ltiPlatformListSchema }),
  createPlatform: endpoint({
    method: 'post',
    path: '/api/lti/platforms',
    body: ltiPlatformInputSchema,
    status: 201,
    response: ltiPlatformSchema,
  }),
  updatePlatform: endpoint({
    method: 'put',
    path: '/api/lti/platforms/:id',
    params: idParamsSchema,
    body: ltiPlatformInputSchema,
    response: ltiPlatformSchema,
  }),
  deactivatePlatform: endpoint({
    method: 'post',
    path: '/api/lti/platforms/:id/deactivate',
    params: idParamsSchema,
    response: ltiPlatformSchema,
  }),
  activatePlatform: endpoint({
    method: 'post',
    path: '/api/lti/platforms/:id/activate',
    params: idParamsSchema,
    response: ltiPlatformSchema,
  }),
  configuration: endpoint({ method: 'get', path: '/api/lti/configuration', response: ltiToolConfigurationSchema }),
  rotateKey: endpoint({ method: 'post', path: '/api/lti/keys/rotate', response: ltiKeyRotationSchema }),
  deepLink: endpoint({
    method: 'get',
    path: '/api/lti/deep-link/:id',
    params: ltiDeepLinkParamsSchema,
    response: ltiDeepLinkRequestSchema,
  }),
  deepLinkChoose: endpoint({
    method: 'post',
    path: '/api/lti/deep-link/:id',
    params: ltiDeepLinkParamsSchema,
    body: ltiDeepLinkChoiceSchema,
    response: ltiDeepLinkResponseSchema,
  }),
};
