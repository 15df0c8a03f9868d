// A local LTI 1.3 platform (an LMS stand-in) following the IMS specs: OIDC third-party initiated
// login and signed id_tokens (LTI Core 1.3), Deep Linking 2.0, Assignment and Grade Services 2.0,
// Names and Role Provisioning Services 2.0, and the client_credentials token endpoint with JWT
// client assertions (IMS Security Framework). No process-global side effects: `npm start` and
// tests import startLtiEmulator.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { handleAgs } from './ags.ts';
import { controlRoutes } from './control.ts';
import type { Ctx, ToolRegistration } from './context.ts';
import { handleDeepLinkReturn, type DeepLinkOutcome } from './deep-linking.ts';
import { BodyTooLarge, json, matchPath, readRequest, type Reply, type Req } from './http.ts';
import { createPlatformKeys, ToolVerifier } from './keys.ts';
import { handleMemberships } from './nrps.ts';
import { handleAuth, idTokenClaims, loginInitiationUrl, type LaunchRequest } from './oidc.ts';
import { coursePage, coursesPage, gradebookPage, startLaunch } from './pages.ts';
import { gradebookOf, newId, newState, type Course, type Gradebook, type Person, type RoleName } from './state.ts';
import { createLineItem } from './ags.ts';
import { handleToken, tokenUrl } from './token.ts';

export type { Gradebook, Person, RoleName } from './state.ts';
export type { DeepLinkOutcome } from './deep-linking.ts';
export type { ToolRegistration } from './context.ts';

export interface LtiEmulatorOptions {
  port?: number;
  host?: string;
  clientId?: string;
  deploymentId?: string;
  /** Exam Hall's public URL: registers /lti/login, /lti/launch and /lti/jwks under it. */
  toolUrl?: string;
  idTokenTtlSeconds?: number;
  accessTokenTtlSeconds?: number;
  membershipPageSize?: number;
  controlRoutes?: boolean;
  onRequest?: (line: string) => void;
}

export interface LtiEmulator {
  url: string;
  /** The platform's `iss`. */
  issuer: string;
  clientId: string;
  deploymentId: string;
  authLoginUrl: string;
  accessTokenUrl: string;
  jwksUrl: string;
  publicJwk: JWK;
  stop(): Promise<void>;
  setTool(tool: Partial<ToolRegistration> & { toolUrl?: string }): void;
  createCourse(c: { id?: string; title: string; label?: string }): Course;
  addMember(contextId: string, p: Partial<Person> & { name: string }, role: RoleName): Person;
  removeMember(contextId: string, personId: string): void;
  /** A resource link placed without deep linking (demo data, tests of launch alone). */
  addResourceLink(
    contextId: string,
    link: {
      /** Stable ids (demo data across restarts); random otherwise. */
      id?: string;
      title: string;
      url: string;
      custom?: Record<string, string>;
      lineItem?: { id?: string; label: string; scoreMaximum: number; resourceId?: string };
    },
  ): { id: string; lineItemId?: string };
  /** The next `count` score posts answer `status` (e.g. 503) and are not recorded. */
  failNextScores(count: number, status: number): void;
  gradebook(contextId: string): Gradebook;
  scoreLog(): Array<{ lineItemId: string; userId: string; status: number; at: string }>;
  deepLinkOutcomes(): DeepLinkOutcome[];
  /** Step 1 of a launch, as the course page's buttons do it: the tool login URL to open. */
  launchUrl(launch: LaunchRequest): string;
  /** Signs any claims with the platform key (hostile-input tests of the tool). */
  sign(claims: Record<string, unknown>, opts?: { expiresInSeconds?: number; kid?: string }): Promise<string>;
  /** The claims a real launch would carry, for tests that tamper with them before signing. */
  claimsFor(launch: LaunchRequest & { nonce: string }): Record<string, unknown>;
  snapshot(): Record<string, unknown>;
}

function toolFromUrl(toolUrl: string): ToolRegistration {
  const base = toolUrl.replace(/\/+$/, '');
  return {
    loginUrl: `${base}/lti/login`,
    redirectUris: [`${base}/lti/launch`],
    jwksUrl: `${base}/lti/jwks`,
    deepLinkingUrl: `${base}/lti/launch`,
  };
}

async function dispatch(
  ctx: Ctx,
  req: Req,
  em: LtiEmulator,
  control: ReturnType<typeof controlRoutes> | undefined,
  outcomes: DeepLinkOutcome[],
): Promise<Reply> {
  const seg = req.segments;
  const path = seg.join('/');
  if (path === '.well-known/jwks.json' || path === 'jwks')
    return json(200, { keys: [ctx.keys.publicJwk] }, 'application/json');
  if (path === 'auth') return handleAuth(ctx, req);
  if (path === 'oauth/token') return handleToken(ctx, req);
  if (path === 'deep-link/return') return handleDeepLinkReturn(ctx, req, (o) => outcomes.push(o));
  if (seg[0] === 'api' && seg[1] === 'courses' && seg[2]) {
    if (seg[3] === 'lineitems') return handleAgs(ctx, req, seg[2], seg.slice(4));
    if (seg[3] === 'memberships' && seg.length === 4) return handleMemberships(ctx, req, seg[2]);
  }
  if (req.method === 'GET' && path === '') return coursesPage(ctx);
  let m = matchPath('course/:id', seg);
  if (req.method === 'GET' && m) return coursePage(ctx, m.id!);
  m = matchPath('course/:id/gradebook', seg);
  if (req.method === 'GET' && m) return gradebookPage(ctx, m.id!);
  if (req.method === 'POST' && path === 'launch') return startLaunch(ctx, req);
  if (seg[0] === '_emulator' && control) {
    const reply = control(req);
    if (reply) return reply;
  }
  return json(404, { error: 'not_found', error_description: `no route ${req.method} /${path}` });
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'cache-control': 'no-store', ...reply.headers };
  let body = '';
  if (reply.html !== undefined) {
    body = reply.html;
    headers['content-type'] = 'text/html; charset=utf-8';
  } else if (reply.body !== undefined) {
    body = JSON.stringify(reply.body);
    headers['content-type'] = reply.contentType ?? 'application/json';
  }
  res.writeHead(reply.status, headers);
  res.end(body);
}

export async function startLtiEmulator(opts: LtiEmulatorOptions = {}): Promise<LtiEmulator> {
  const verifier = new ToolVerifier();
  const ctx: Ctx = {
    origin: '',
    clientId: opts.clientId ?? 'exam-hall-tool',
    deploymentId: opts.deploymentId ?? 'deployment-1',
    tool: { loginUrl: '', redirectUris: [], jwksUrl: '', deepLinkingUrl: '' },
    keys: await createPlatformKeys(),
    verifier,
    state: newState(),
    idTokenTtlSeconds: opts.idTokenTtlSeconds ?? 300,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3600,
    membershipPageSize: opts.membershipPageSize ?? 10,
  };
  const outcomes: DeepLinkOutcome[] = [];
  let control: ReturnType<typeof controlRoutes> | undefined;
  const listener = (incoming: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    void (async () => {
      let status: number;
      try {
        const req = await readRequest(incoming);
        const reply = await dispatch(ctx, req, em, control, outcomes);
        status = reply.status;
        send(res, reply);
      } catch (err) {
        status = err instanceof BodyTooLarge ? 413 : 500;
        if (!res.headersSent) send(res, json(status, { error: status === 413 ? 'request_too_large' : 'server_error' }));
        else res.destroy();
      }
      opts.onRequest?.(
        `${incoming.method} ${(incoming.url ?? '').split('?')[0]} -> ${status} (${Date.now() - started} ms)`,
      );
    })();
  };
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  ctx.origin = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;

  const course = (id: string) => {
    const c = ctx.state.courses.get(id);
    if (!c) throw new Error(`unknown course ${id}`);
    return c;
  };
  const em: LtiEmulator = {
    url: ctx.origin,
    issuer: ctx.origin,
    clientId: ctx.clientId,
    deploymentId: ctx.deploymentId,
    authLoginUrl: `${ctx.origin}/auth`,
    accessTokenUrl: tokenUrl(ctx),
    jwksUrl: `${ctx.origin}/.well-known/jwks.json`,
    publicJwk: ctx.keys.publicJwk,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    setTool(tool) {
      const next = { ...ctx.tool, ...(tool.toolUrl ? toolFromUrl(tool.toolUrl) : {}), ...tool };
      delete (next as { toolUrl?: string }).toolUrl;
      ctx.tool = next;
      verifier.setJwksUrl(next.jwksUrl);
    },
    createCourse(c) {
      const created: Course = { id: c.id ?? newId('course'), title: c.title, label: c.label ?? c.title, members: [] };
      if (ctx.state.courses.has(created.id)) throw new Error(`course ${created.id} exists`);
      ctx.state.courses.set(created.id, created);
      return created;
    },
    addMember(contextId, p, role) {
      const c = course(contextId);
      const person: Person = { ...p, id: p.id ?? newId('user') };
      const [given, ...rest] = person.name.split(' ');
      person.givenName ??= given;
      if (rest.length) person.familyName ??= rest.join(' ');
      ctx.state.people.set(person.id, { ...ctx.state.people.get(person.id), ...person });
      const existing = c.members.find((m) => m.personId === person.id);
      if (existing) Object.assign(existing, { role, status: 'Active' });
      else c.members.push({ personId: person.id, role, status: 'Active' });
      return person;
    },
    removeMember(contextId, personId) {
      const c = course(contextId);
      c.members = c.members.filter((m) => m.personId !== personId);
    },
    addResourceLink(contextId, link) {
      course(contextId);
      const id = link.id ?? newId('rl');
      const { title, url } = link;
      ctx.state.links.set(id, {
        id,
        contextId,
        title,
        url,
        custom: link.custom ?? {},
        createdAt: new Date().toISOString(),
      });
      if (!link.lineItem) return { id };
      const { id: lineItemId, ...fields } = link.lineItem;
      const li = createLineItem(ctx, contextId, { ...fields, resourceLinkId: id }, lineItemId);
      return { id, lineItemId: li.id };
    },
    failNextScores(count, status) {
      ctx.state.scoreFault = count > 0 ? { remaining: count, status } : null;
    },
    gradebook: (contextId) => gradebookOf(ctx.state, course(contextId).id),
    scoreLog: () => [...ctx.state.scoreLog],
    deepLinkOutcomes: () => [...outcomes],
    launchUrl: (launch) => loginInitiationUrl(ctx, launch),
    sign: (claims, o) => ctx.keys.sign(claims, o),
    claimsFor(launch) {
      const targetLinkUri =
        launch.kind === 'LtiResourceLinkRequest'
          ? (ctx.state.links.get(launch.resourceLinkId ?? '')?.url ?? '')
          : ctx.tool.deepLinkingUrl;
      return idTokenClaims(ctx, { ...launch, targetLinkUri, expiresAt: Date.now() + 60_000 }, launch.nonce);
    },
    snapshot: () => ({
      issuer: ctx.origin,
      clientId: ctx.clientId,
      deploymentId: ctx.deploymentId,
      tool: ctx.tool,
      courses: [...ctx.state.courses.values()],
      people: [...ctx.state.people.values()],
      resourceLinks: [...ctx.state.links.values()],
      lineItems: [...ctx.state.lineItems.values()],
    }),
  };
  if (opts.toolUrl) em.setTool({ toolUrl: opts.toolUrl });
  if (opts.controlRoutes) control = controlRoutes(em);
  return em;
}
