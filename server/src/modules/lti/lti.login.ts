// OIDC third-party initiated login (LTI Core 1.3 §4.1, IMS Security Framework §5.1.1):
// the platform sends iss + login_hint + target_link_uri; we remember a fresh state and
// nonce server-side (lti_login_states, 5 minutes, used once) and send the browser to the
// platform's authorization endpoint, which answers with a form post to /lti/launch.
import { randomBytes } from 'node:crypto';
import type { LtiLoginInitiation } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { LtiError } from './lti.html.ts';
import * as repo from './lti.repository.ts';

export const LOGIN_STATE_TTL_MS = 5 * 60_000;

export async function startLogin(db: Db, publicUrl: string, input: LtiLoginInitiation): Promise<string> {
  const candidates = await repo.activePlatformsOfIssuer(db, input.iss);
  if (!candidates.length)
    throw new LtiError(
      400,
      'This LMS (issuer) is not registered with Exam Hall, or its registration is switched off.',
      'Ask your administrator to register the LMS under Admin → LMS (LTI).',
    );
  const platform = input.client_id ? candidates.find((p) => p.clientId === input.client_id) : candidates[0];
  if (!platform) throw new LtiError(400, 'This client id is not registered for this LMS.', 'Ask your administrator.');
  if (!input.client_id && candidates.length > 1)
    throw new LtiError(400, 'Several registrations share this issuer: the LMS must send client_id with the login.');
  if (input.lti_deployment_id && !platform.deploymentIds.includes(input.lti_deployment_id))
    throw new LtiError(
      403,
      'This LMS deployment is not registered with Exam Hall.',
      'Ask your administrator to add the deployment id to the LMS registration.',
    );
  let target: URL;
  try {
    target = new URL(input.target_link_uri);
  } catch {
    throw new LtiError(400, 'target_link_uri is not a URL.');
  }
  if (target.origin !== new URL(publicUrl).origin)
    throw new LtiError(
      400,
      'target_link_uri does not point to this Exam Hall.',
      'Ask your administrator to check the tool URL in the LMS.',
    );

  // Housekeeping without a job: now and then, states a day past their expiry go.
  if (Math.random() < 0.01) await repo.deleteOldLoginStates(db, new Date(Date.now() - 86_400_000)).catch(() => {});
  const state = randomBytes(32).toString('base64url');
  const nonce = randomBytes(32).toString('base64url');
  await repo.insertLoginState(db, {
    state,
    nonce,
    platformId: platform.id,
    targetLinkUri: target.href,
    expiresAt: new Date(Date.now() + LOGIN_STATE_TTL_MS),
  });
  const auth = new URL(platform.authLoginUrl);
  const params: Record<string, string> = {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: platform.clientId,
    redirect_uri: `${publicUrl}/lti/launch`,
    login_hint: input.login_hint,
    state,
    nonce,
  };
  if (input.lti_message_hint) params.lti_message_hint = input.lti_message_hint;
  for (const [k, v] of Object.entries(params)) auth.searchParams.set(k, v);
  return auth.href;
}
