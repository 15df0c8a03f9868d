// LTI 1.3 launches (IMS Security Framework, OIDC third-party initiated login): the platform sends
// the browser to the tool's login URL with a login_hint and an lti_message_hint; the tool answers
// with an OIDC authentication request to /auth; the platform checks it and answers a page that
// form-POSTs a signed id_token and the tool's state to the registered redirect_uri.
import { CLAIM, CONTEXT_TYPE_COURSE, serviceUrls, type Ctx, AGS_SCOPES } from './context.ts';
import { esc, formParams, html, page, type Reply, type Req } from './http.ts';
import { memberOf, randomToken, ROLE, type MessageKind, type PendingLaunch } from './state.ts';

const HINT_TTL_MS = 5 * 60 * 1000;

export interface LaunchRequest {
  kind: MessageKind;
  personId: string;
  contextId: string;
  resourceLinkId?: string;
}

/** Step 1: the login initiation URL (GET to the tool's /lti/login) for a person's launch. */
export function loginInitiationUrl(ctx: Ctx, launch: LaunchRequest): string {
  const course = ctx.state.courses.get(launch.contextId);
  if (!course) throw new Error(`unknown course ${launch.contextId}`);
  if (!memberOf(course, launch.personId)) throw new Error(`${launch.personId} is not a member of ${course.id}`);
  let targetLinkUri = ctx.tool.deepLinkingUrl;
  if (launch.kind === 'LtiResourceLinkRequest') {
    const link = launch.resourceLinkId ? ctx.state.links.get(launch.resourceLinkId) : undefined;
    if (!link || link.contextId !== course.id) throw new Error(`unknown resource link ${launch.resourceLinkId}`);
    targetLinkUri = link.url;
  }
  const hint = randomToken(18);
  const pending: PendingLaunch = { ...launch, targetLinkUri, expiresAt: Date.now() + HINT_TTL_MS };
  if (launch.kind === 'LtiDeepLinkingRequest') {
    pending.data = randomToken(12);
    // The tool has an hour to answer (a teacher choosing an exam).
    const expiresAt = Date.now() + 60 * 60 * 1000;
    ctx.state.deepLinkData.set(pending.data, { contextId: course.id, personId: launch.personId, expiresAt });
  }
  ctx.state.launches.set(hint, pending);
  const params = new URLSearchParams({
    iss: ctx.origin,
    login_hint: launch.personId,
    target_link_uri: targetLinkUri,
    lti_message_hint: hint,
    lti_deployment_id: ctx.deploymentId,
    client_id: ctx.clientId,
  });
  return `${ctx.tool.loginUrl}?${params}`;
}

function authError(param: string, message: string): Reply {
  return html(
    400,
    page(
      'Launch refused',
      `<h1>Launch refused</h1><p class="error" role="alert">invalid_request: <code>${esc(param)}</code>: ${esc(message)}</p>`,
    ),
  );
}

/** Step 2: the tool's OIDC authentication request (GET or form POST to /auth). */
export async function handleAuth(ctx: Ctx, req: Req): Promise<Reply> {
  const p = formParams(req);
  const need = (name: string) => p.get(name) ?? '';
  const scope = need('scope').split(' ');
  if (!scope.includes('openid')) return authError('scope', 'must include openid');
  if (need('response_type') !== 'id_token') return authError('response_type', 'must be id_token');
  if (need('response_mode') !== 'form_post') return authError('response_mode', 'must be form_post');
  if (need('prompt') !== 'none') return authError('prompt', 'must be none');
  if (need('client_id') !== ctx.clientId) return authError('client_id', 'is not a registered tool');
  // Never redirect to an unregistered URI: the error is shown here, not sent to it.
  if (!ctx.tool.redirectUris.includes(need('redirect_uri'))) {
    return authError('redirect_uri', 'is not registered for this tool');
  }
  if (!need('nonce')) return authError('nonce', 'is required');
  if (!need('state')) return authError('state', 'is required');
  const hint = need('lti_message_hint');
  const launch = ctx.state.launches.get(hint);
  if (!launch || launch.expiresAt < Date.now()) return authError('lti_message_hint', 'is unknown or expired');
  if (need('login_hint') !== launch.personId) return authError('login_hint', 'does not match the launch');
  // One authentication per launch: a replayed auth request gets nothing.
  ctx.state.launches.delete(hint);
  const idToken = await ctx.keys.sign(idTokenClaims(ctx, launch, need('nonce')), {
    expiresInSeconds: ctx.idTokenTtlSeconds,
  });
  return html(200, autoPostForm(need('redirect_uri'), { id_token: idToken, state: need('state') }));
}

/** The id_token payload for a launch (iat/exp are added when signing). */
export function idTokenClaims(ctx: Ctx, launch: PendingLaunch, nonce: string): Record<string, unknown> {
  const course = ctx.state.courses.get(launch.contextId)!;
  const person = ctx.state.people.get(launch.personId)!;
  const member = memberOf(course, launch.personId)!;
  const urls = serviceUrls(ctx, course.id);
  const claims: Record<string, unknown> = {
    iss: ctx.origin,
    aud: ctx.clientId,
    azp: ctx.clientId,
    sub: person.id,
    nonce,
    locale: 'en-US',
    [CLAIM.messageType]: launch.kind,
    [CLAIM.version]: '1.3.0',
    [CLAIM.deploymentId]: ctx.deploymentId,
    [CLAIM.targetLinkUri]: launch.targetLinkUri,
    [CLAIM.roles]: [ROLE[member.role]],
    [CLAIM.context]: { id: course.id, label: course.label, title: course.title, type: [CONTEXT_TYPE_COURSE] },
    [CLAIM.toolPlatform]: {
      guid: `${new URL(ctx.origin).host}-emulator`,
      name: 'LTI platform emulator',
      product_family_code: 'exam-hall-lti-emulator',
      version: '1.0',
    },
    [CLAIM.launchPresentation]: { document_target: 'window', return_url: `${ctx.origin}/course/${course.id}` },
    [CLAIM.nrps]: { context_memberships_url: urls.memberships, service_versions: ['2.0'] },
  };
  if (person.name) claims.name = person.name;
  if (person.givenName) claims.given_name = person.givenName;
  if (person.familyName) claims.family_name = person.familyName;
  if (person.email) claims.email = person.email;
  const ags: Record<string, unknown> = { scope: Object.values(AGS_SCOPES), lineitems: urls.lineItems };
  if (launch.kind === 'LtiResourceLinkRequest') {
    const link = ctx.state.links.get(launch.resourceLinkId!)!;
    claims[CLAIM.resourceLink] = { id: link.id, title: link.title, ...(link.text ? { description: link.text } : {}) };
    claims[CLAIM.custom] = link.custom;
    const lineItem = [...ctx.state.lineItems.values()].find((li) => li.resourceLinkId === link.id);
    if (lineItem) ags.lineitem = urls.lineItem(lineItem.id);
  } else {
    claims[CLAIM.deepLinkingSettings] = {
      deep_link_return_url: urls.deepLinkReturn,
      accept_types: ['ltiResourceLink'],
      accept_presentation_document_targets: ['iframe', 'window'],
      accept_multiple: true,
      accept_lineitem: true,
      auto_create: true,
      title: `Add an activity to ${course.title}`,
      data: launch.data,
    };
  }
  claims[CLAIM.ags] = ags;
  return claims;
}

/** The page a browser submits by itself (a button for when scripts are off). */
export function autoPostForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  return page(
    'Launching',
    `<h1>Launching the tool…</h1><form method="post" action="${esc(action)}">${inputs}<button type="submit">Continue</button></form>
<script>document.forms[0].submit()</script>`,
  );
}
