// A tiny LTI Advantage platform for the tool's service calls: an OAuth 2 token endpoint that
// verifies the client assertion (RFC 7523, IMS Security Framework) against the tool's JWKS
// with jose, AGS line items and scores (checking the IMS media types), and NRPS memberships
// served in pages with rel="next" Link headers. It records what it was sent and can be told
// to refuse or to be down, so tests can check both sides.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface PlatformMember {
  user_id: string;
  status?: 'Active' | 'Inactive' | 'Deleted';
  name?: string;
  email?: string;
  roles: string[];
}

export interface TestPlatform {
  url: string;
  issuer: string;
  clientId: string;
  tokenUrl: string;
  lineItemsUrl(contextId: string): string;
  membershipsUrl(contextId: string): string;
  /** Token requests that passed, with their scopes. */
  tokens: { scope: string; jti: string }[];
  /** Refused token requests and why. */
  tokenRefusals: string[];
  lineItems: { id: string; contextId: string; body: Record<string, unknown>; contentType: string }[];
  scores: { lineItemId: string; body: Record<string, unknown>; contentType: string }[];
  members: Map<string, PlatformMember[]>;
  /** Contexts whose memberships answer badly: an HTML page, or a 17 MB (valid JSON) body. */
  membershipFaults: Map<string, 'html' | 'huge'>;
  pageSize: number;
  /** The next N score posts answer this status (e.g. 401) instead of taking the score. */
  refuseScores: { count: number; status: number };
  /** The token endpoint closes connections without answering. */
  tokenDown: boolean;
  stop(): Promise<void>;
}

const MEDIA = {
  score: 'application/vnd.ims.lis.v1.score+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  memberships: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
};
const SCOPE = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  members: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown, type = 'application/json', headers = {}) {
  res.writeHead(status, { 'content-type': type, ...headers }).end(JSON.stringify(body));
}

export async function startTestPlatform(opts: { toolJwksUrl: string; clientId?: string }): Promise<TestPlatform> {
  const jwks = createRemoteJWKSet(new URL(opts.toolJwksUrl));
  const granted = new Map<string, Set<string>>();
  const seenJti = new Set<string>();
  let lineItemN = 0;
  const p = {
    clientId: opts.clientId ?? `client-${randomBytes(4).toString('hex')}`,
    tokens: [],
    tokenRefusals: [],
    lineItems: [],
    scores: [],
    members: new Map(),
    membershipFaults: new Map(),
    pageSize: 2,
    refuseScores: { count: 0, status: 401 },
    tokenDown: false,
  } as unknown as TestPlatform;

  function bearer(req: IncomingMessage, scope: string): boolean {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return !!m && !!granted.get(m[1]!)?.has(scope);
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    if (p.tokenDown) return req.socket.destroy();
    const form = new URLSearchParams(await readBody(req));
    const refuse = (why: string) => {
      p.tokenRefusals.push(why);
      json(res, 401, { error: 'invalid_client', error_description: why });
    };
    if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return refuse('wrong client_assertion_type');
    try {
      const { payload, protectedHeader } = await jwtVerify(form.get('client_assertion') ?? '', jwks, {
        issuer: p.clientId,
        subject: p.clientId,
        audience: p.tokenUrl,
        algorithms: ['RS256'],
        maxTokenAge: '10m',
      });
      if (!protectedHeader.kid) return refuse('no kid');
      if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) return refuse('jti missing or replayed');
      if (typeof payload.exp !== 'number') return refuse('no exp');
      seenJti.add(payload.jti);
      const scope = form.get('scope') ?? '';
      const access = randomBytes(16).toString('hex');
      granted.set(access, new Set(scope.split(' ').filter(Boolean)));
      p.tokens.push({ scope, jti: payload.jti });
      json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 3600, scope });
    } catch (err) {
      refuse(`assertion: ${(err as Error).message}`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', p.url);
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'POST' && url.pathname === '/token') return token(req, res);
    // /contexts/:cid/lineitems[/:n[/scores]] and /contexts/:cid/memberships
    if (parts[0] !== 'contexts' || !parts[1]) return json(res, 404, { error: 'not found' });
    const cid = parts[1];
    if (parts[2] === 'memberships' && req.method === 'GET') {
      if (!bearer(req, SCOPE.members)) return json(res, 401, { error: 'unauthorized' });
      const fault = p.membershipFaults.get(cid);
      if (fault === 'html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Login</h1>');
      if (fault === 'huge') {
        res.writeHead(200, { 'content-type': MEDIA.memberships });
        // Valid JSON (a container with no members), padded with whitespace to 17 MB.
        res.write('{"members":[');
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        for (let i = 0; i < 17; i++) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        return void res.end(']}');
      }
      const all = p.members.get(cid) ?? [];
      const page = Number(url.searchParams.get('page') ?? '0');
      const slice = all.slice(page * p.pageSize, (page + 1) * p.pageSize);
      const more = (page + 1) * p.pageSize < all.length;
      const headers = more ? { link: `<${p.membershipsUrl(cid)}?page=${page + 1}>; rel="next"` } : {};
      return json(
        res,
        200,
        { id: p.membershipsUrl(cid), context: { id: cid }, members: slice },
        MEDIA.memberships,
        headers,
      );
    }
    if (parts[2] !== 'lineitems') return json(res, 404, { error: 'not found' });
    if (parts.length === 3 && req.method === 'GET') {
      if (!bearer(req, SCOPE.lineItem)) return json(res, 401, { error: 'unauthorized' });
      const rl = url.searchParams.get('resource_link_id');
      const list = p.lineItems
        .filter((li) => li.contextId === cid && (!rl || li.body.resourceLinkId === rl))
        .map((li) => ({ id: li.id, ...li.body }));
      return json(res, 200, list, MEDIA.lineItemContainer);
    }
    if (parts.length === 3 && req.method === 'POST') {
      if (!bearer(req, SCOPE.lineItem)) return json(res, 401, { error: 'unauthorized' });
      const contentType = req.headers['content-type'] ?? '';
      if (contentType !== MEDIA.lineItem) return json(res, 415, { error: 'unsupported media type' });
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      const id = `${p.lineItemsUrl(cid)}/${++lineItemN}`;
      p.lineItems.push({ id, contextId: cid, body, contentType });
      return json(res, 201, { id, ...body }, MEDIA.lineItem);
    }
    if (parts.length === 5 && parts[4] === 'scores' && req.method === 'POST') {
      const lineItemId = `${p.lineItemsUrl(cid)}/${parts[3]}`;
      if (!p.lineItems.some((li) => li.id === lineItemId)) return json(res, 404, { error: 'no such line item' });
      if (!bearer(req, SCOPE.score)) return json(res, 401, { error: 'unauthorized' });
      if (p.refuseScores.count > 0) {
        p.refuseScores.count--;
        return json(res, p.refuseScores.status, { error: 'refused', error_description: 'the gradebook is locked' });
      }
      const contentType = req.headers['content-type'] ?? '';
      if (contentType !== MEDIA.score) return json(res, 415, { error: 'unsupported media type' });
      p.scores.push({ lineItemId, body: JSON.parse(await readBody(req)) as Record<string, unknown>, contentType });
      return void res.writeHead(204).end();
    }
    return json(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  p.url = `http://127.0.0.1:${port}`;
  p.issuer = p.url;
  p.tokenUrl = `${p.url}/token`;
  p.lineItemsUrl = (cid) => `${p.url}/contexts/${cid}/lineitems`;
  p.membershipsUrl = (cid) => `${p.url}/contexts/${cid}/memberships`;
  p.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return p;
}
