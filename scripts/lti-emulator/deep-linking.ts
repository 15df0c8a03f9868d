// Deep Linking 2.0 return: the tool form-POSTs a signed LtiDeepLinkingResponse as `JWT` to the
// deep_link_return_url. The platform verifies it against the tool's JWKS (iss = client_id,
// aud = platform issuer), checks message type, version, deployment and the echoed `data`, then
// creates a resource link (and its line item when `lineItem` is given) per ltiResourceLink item.
import { CLAIM, type Ctx } from './context.ts';
import { createLineItem } from './ags.ts';
import { esc, formParams, html, page, type Reply, type Req } from './http.ts';
import { jwtFailure } from './keys.ts';
import { newId, type ResourceLink } from './state.ts';

export interface DeepLinkOutcome {
  contextId: string;
  created: ResourceLink[];
  msg?: string;
  errormsg?: string;
}

function refused(message: string): Reply {
  return html(
    400,
    page('Deep linking refused', `<h1>Deep linking refused</h1><p class="error" role="alert">${esc(message)}</p>`),
  );
}

const asString = (v: unknown) => (typeof v === 'string' ? v : undefined);

export async function handleDeepLinkReturn(
  ctx: Ctx,
  req: Req,
  onOutcome: (o: DeepLinkOutcome) => void,
): Promise<Reply> {
  if (req.method !== 'POST') return refused('POST the deep-linking response');
  const jwt = formParams(req).get('JWT') ?? '';
  if (!jwt) return refused('the form field JWT is missing');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await ctx.verifier.verify(jwt, { issuer: ctx.clientId, audience: ctx.origin }));
  } catch (err) {
    return refused(`the response JWT was not accepted: ${jwtFailure(err)}`);
  }
  if (payload[CLAIM.messageType] !== 'LtiDeepLinkingResponse')
    return refused(`${CLAIM.messageType} must be LtiDeepLinkingResponse`);
  if (payload[CLAIM.version] !== '1.3.0') return refused(`${CLAIM.version} must be 1.3.0`);
  if (payload[CLAIM.deploymentId] !== ctx.deploymentId) return refused(`${CLAIM.deploymentId} is not this deployment`);
  if (typeof payload.nonce !== 'string' || !payload.nonce) return refused('nonce is required');
  const data = asString(payload[CLAIM.dlData]);
  const settings = data ? ctx.state.deepLinkData.get(data) : undefined;
  if (!settings || settings.expiresAt < Date.now()) {
    return refused(`${CLAIM.dlData} does not match an open deep-linking request of this platform`);
  }
  // One response per request: a replayed response creates nothing.
  ctx.state.deepLinkData.delete(data!);
  const items = payload[CLAIM.contentItems] ?? [];
  if (!Array.isArray(items)) return refused(`${CLAIM.contentItems} must be an array`);
  const created: ResourceLink[] = [];
  const lineItems: Array<Record<string, unknown> | undefined> = [];
  for (const raw of items) {
    if (!raw || typeof raw !== 'object') return refused('each content item must be an object');
    const item = raw as Record<string, unknown>;
    if (item.type !== 'ltiResourceLink') continue; // Only resource links are accepted (accept_types).
    const custom: Record<string, string> = {};
    if (item.custom && typeof item.custom === 'object') {
      for (const [k, v] of Object.entries(item.custom)) custom[k] = String(v);
    }
    const link: ResourceLink = {
      id: newId('rl'),
      contextId: settings.contextId,
      title: asString(item.title) ?? 'Exam Hall activity',
      text: asString(item.text),
      url: asString(item.url) ?? ctx.tool.deepLinkingUrl,
      custom,
      createdAt: new Date().toISOString(),
    };
    created.push(link);
    lineItems.push(
      item.lineItem && typeof item.lineItem === 'object' ? (item.lineItem as Record<string, unknown>) : undefined,
    );
  }
  for (const [i, link] of created.entries()) {
    ctx.state.links.set(link.id, link);
    const li = lineItems[i];
    if (li && typeof li.scoreMaximum === 'number' && li.scoreMaximum > 0) {
      createLineItem(ctx, settings.contextId, {
        label: asString(li.label) ?? link.title,
        scoreMaximum: li.scoreMaximum,
        resourceLinkId: link.id,
        resourceId: asString(li.resourceId),
        tag: asString(li.tag),
      });
    }
  }
  const outcome: DeepLinkOutcome = {
    contextId: settings.contextId,
    created,
    msg: asString(payload[CLAIM.dlMsg]),
    errormsg: asString(payload[CLAIM.dlErrorMsg]),
  };
  onOutcome(outcome);
  const list = created.map((l) => `<li>${esc(l.title)}</li>`).join('');
  return html(
    200,
    page(
      'Activity added',
      `<h1>${created.length === 1 ? 'Activity added' : `${created.length} activities added`}</h1>
${outcome.msg ? `<p role="status">${esc(outcome.msg)}</p>` : ''}${outcome.errormsg ? `<p class="error" role="alert">${esc(outcome.errormsg)}</p>` : ''}
${list ? `<ul>${list}</ul>` : '<p>The tool returned no activity.</p>'}
<p><a href="/course/${encodeURIComponent(settings.contextId)}">Back to the course</a></p>`,
    ),
  );
}
