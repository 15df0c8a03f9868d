// The LTI platform emulator against the IMS specs, driven from the tool's side with jose alone:
// login initiation -> OIDC auth request -> a signed id_token with the LTI claims; refusals of a bad
// auth request; client_credentials with a JWT client assertion (bad signature, wrong audience,
// replayed jti refused); AGS line items, scores (media type, body, fault injection) and results;
// NRPS paging through Link rel="next"; a deep-linking response creating a resource link + line item.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';

type CryptoKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLtiEmulator, type LtiEmulator } from '../lti-emulator/emulator.ts';

const CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/';
const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const SCORE_TYPE = 'application/vnd.ims.lis.v1.score+json';
const LINE_ITEM_TYPE = 'application/vnd.ims.lis.v2.lineitem+json';

let em: LtiEmulator;
let tool: Server;
let toolUrl: string;
let toolKey: CryptoKey;
let otherKey: CryptoKey;
const KID = 'tool-key-1';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  toolKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  // The tool's side: only its JWKS is needed (the test plays the browser and the tool by hand).
  tool = createServer((req, res) => {
    if (req.url === '/lti/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => tool.listen(0, '127.0.0.1', r));
  toolUrl = `http://127.0.0.1:${(tool.address() as AddressInfo).port}`;
  em = await startLtiEmulator({ toolUrl, controlRoutes: true, membershipPageSize: 5 });
  const course = em.createCourse({ id: 'c1', title: 'Chemistry 101', label: 'CHEM101' });
  em.addMember(course.id, { id: 'teach-1', name: 'Irene Instructor', email: 'irene@lms.test' }, 'instructor');
  em.addMember(course.id, { id: 'learn-1', name: 'Lena Learner', email: 'lena@lms.test' }, 'learner');
  em.addMember(course.id, { id: 'learn-2', name: 'Leo Learner' }, 'learner');
});

afterAll(async () => {
  await em?.stop();
  await new Promise<void>((r) => tool.close(() => r()));
});

/** Plays the tool's login step: the auth request for a login initiation URL; answers the page. */
async function authorize(loginUrl: string, change: Record<string, string> = {}) {
  const init = new URL(loginUrl);
  expect(`${init.origin}${init.pathname}`).toBe(`${toolUrl}/lti/login`);
  const params = new URLSearchParams({
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: init.searchParams.get('client_id')!,
    redirect_uri: `${toolUrl}/lti/launch`,
    login_hint: init.searchParams.get('login_hint')!,
    lti_message_hint: init.searchParams.get('lti_message_hint')!,
    nonce: 'nonce-123',
    state: 'state-456',
    ...change,
  });
  const res = await fetch(`${em.url}/auth?${params}`);
  return { status: res.status, html: await res.text(), init };
}

function formField(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1]?.replaceAll('&amp;', '&');
}

async function verifyIdToken(idToken: string) {
  const jwks = createLocalJWKSet((await (await fetch(em.jwksUrl)).json()) as any);
  return jwtVerify(idToken, jwks, { issuer: em.issuer, audience: em.clientId, algorithms: ['RS256'] });
}

async function assertion(opts: { key?: CryptoKey; aud?: string; jti?: string; iss?: string } = {}) {
  return new SignJWT({ jti: opts.jti ?? crypto.randomUUID() })
    .setProtectedHeader({ alg: 'RS256', kid: KID })
    .setIssuer(opts.iss ?? em.clientId)
    .setSubject(em.clientId)
    .setAudience(opts.aud ?? em.accessTokenUrl)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(opts.key ?? toolKey);
}

async function token(scope: string, jwt?: string) {
  const res = await fetch(em.accessTokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: jwt ?? (await assertion()),
      scope,
    }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('launch (OIDC third-party initiated login)', () => {
  it('signs an id_token with the LTI claims for a resource link launch', async () => {
    const link = em.addResourceLink('c1', {
      title: 'Quiz 1',
      url: `${toolUrl}/lti/launch?exam=e1`,
      custom: { exam_id: 'e1' },
      lineItem: { label: 'Quiz 1', scoreMaximum: 10, resourceId: 'e1' },
    });
    const loginUrl = em.launchUrl({
      kind: 'LtiResourceLinkRequest',
      contextId: 'c1',
      personId: 'learn-1',
      resourceLinkId: link.id,
    });
    const { status, html, init } = await authorize(loginUrl);
    expect(init.searchParams.get('iss')).toBe(em.issuer);
    expect(init.searchParams.get('target_link_uri')).toBe(`${toolUrl}/lti/launch?exam=e1`);
    expect(init.searchParams.get('lti_deployment_id')).toBe(em.deploymentId);
    expect(status).toBe(200);
    expect(html).toContain(`action="${toolUrl}/lti/launch"`);
    expect(formField(html, 'state')).toBe('state-456');
    const { payload, protectedHeader } = await verifyIdToken(formField(html, 'id_token')!);
    expect(protectedHeader.kid).toBe(em.publicJwk.kid);
    expect(payload).toMatchObject({
      sub: 'learn-1',
      nonce: 'nonce-123',
      name: 'Lena Learner',
      email: 'lena@lms.test',
      [`${CLAIM}message_type`]: 'LtiResourceLinkRequest',
      [`${CLAIM}version`]: '1.3.0',
      [`${CLAIM}deployment_id`]: em.deploymentId,
      [`${CLAIM}target_link_uri`]: `${toolUrl}/lti/launch?exam=e1`,
      [`${CLAIM}resource_link`]: { id: link.id, title: 'Quiz 1' },
      [`${CLAIM}roles`]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      [`${CLAIM}context`]: { id: 'c1', label: 'CHEM101', title: 'Chemistry 101' },
      [`${CLAIM}custom`]: { exam_id: 'e1' },
      [`${AGS}claim/endpoint`]: {
        lineitems: `${em.url}/api/courses/c1/lineitems`,
        lineitem: `${em.url}/api/courses/c1/lineitems/${link.lineItemId}`,
      },
      'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': {
        context_memberships_url: `${em.url}/api/courses/c1/memberships`,
        service_versions: ['2.0'],
      },
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    // A learner without an email in the LMS launches without one.
    const second = await authorize(
      em.launchUrl({ kind: 'LtiResourceLinkRequest', contextId: 'c1', personId: 'learn-2', resourceLinkId: link.id }),
    );
    const claims = (await verifyIdToken(formField(second.html, 'id_token')!)).payload;
    expect(claims.email).toBeUndefined();
    expect(claims.sub).toBe('learn-2');
  });

  it('refuses an auth request with an unregistered redirect_uri, a wrong login_hint or a replayed hint', async () => {
    const deep = () => em.launchUrl({ kind: 'LtiDeepLinkingRequest', contextId: 'c1', personId: 'teach-1' });
    const badRedirect = await authorize(deep(), { redirect_uri: 'https://evil.test/steal' });
    expect(badRedirect.status).toBe(400);
    expect(badRedirect.html).toContain('redirect_uri');
    expect(badRedirect.html).not.toContain('id_token');
    const badHint = await authorize(deep(), { login_hint: 'learn-1' });
    expect(badHint.status).toBe(400);
    expect(badHint.html).toContain('login_hint');
    const noNonce = await authorize(deep(), { nonce: '' });
    expect(noNonce.html).toContain('nonce');
    const url = deep();
    expect((await authorize(url)).status).toBe(200);
    const replay = await authorize(url);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain('lti_message_hint');
  });
});

describe('token endpoint (client_credentials + JWT client assertion)', () => {
  it('grants the requested scopes to a correctly signed assertion and refuses bad ones', async () => {
    const ok = await token(`${AGS}scope/score ${NRPS_SCOPE} https://unknown.test/scope`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: `${AGS}scope/score ${NRPS_SCOPE}` });

    const wrongKey = await token(NRPS_SCOPE, await assertion({ key: otherKey }));
    expect(wrongKey).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const wrongAud = await token(NRPS_SCOPE, await assertion({ aud: 'https://elsewhere.test/token' }));
    expect(wrongAud.status).toBe(401);
    expect(wrongAud.body.error_description).toContain('aud');
    const wrongIss = await token(NRPS_SCOPE, await assertion({ iss: 'someone-else' }));
    expect(wrongIss.status).toBe(401);
    const jwt = await assertion({ jti: 'once' });
    expect((await token(NRPS_SCOPE, jwt)).status).toBe(200);
    const replay = await token(NRPS_SCOPE, jwt);
    expect(replay.status).toBe(401);
    expect(replay.body.error_description).toContain('jti');
    expect((await token('https://unknown.test/scope')).body.error).toBe('invalid_scope');
  });
});

describe('AGS', () => {
  it('creates line items, records scores in the gradebook, fails on demand, serves results', async () => {
    const { body: t } = await token(`${AGS}scope/lineitem ${AGS}scope/score ${AGS}scope/result.readonly`);
    const auth = { authorization: `Bearer ${t.access_token}` };
    const lineitems = `${em.url}/api/courses/c1/lineitems`;
    const wrongType = await fetch(lineitems, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'Quiz 2', scoreMaximum: 20 }),
    });
    expect(wrongType.status).toBe(415);
    const badBody = await fetch(lineitems, {
      method: 'POST',
      headers: { ...auth, 'content-type': LINE_ITEM_TYPE },
      body: JSON.stringify({ label: 'Quiz 2', scoreMaximum: 0 }),
    });
    expect(badBody.status).toBe(400);
    expect(((await badBody.json()) as any).error_description).toContain('scoreMaximum');
    const created = await fetch(lineitems, {
      method: 'POST',
      headers: { ...auth, 'content-type': LINE_ITEM_TYPE },
      body: JSON.stringify({ label: 'Quiz 2', scoreMaximum: 20, resourceId: 'e2', tag: 'exam' }),
    });
    expect(created.status).toBe(201);
    const li = (await created.json()) as any;
    expect(li.id).toMatch(new RegExp(`^${lineitems}/`));
    const list = await fetch(`${lineitems}?resource_id=e2`, {
      headers: { ...auth, accept: 'application/vnd.ims.lis.v2.lineitemcontainer+json' },
    });
    expect(list.headers.get('content-type')).toBe('application/vnd.ims.lis.v2.lineitemcontainer+json');
    expect(((await list.json()) as any).map((x: any) => x.id)).toEqual([li.id]);

    const post = (body: Record<string, unknown>, type = SCORE_TYPE) =>
      fetch(`${li.id}/scores`, {
        method: 'POST',
        headers: { ...auth, 'content-type': type },
        body: JSON.stringify(body),
      });
    const score = {
      userId: 'learn-1',
      scoreGiven: 17,
      scoreMaximum: 20,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: new Date().toISOString(),
    };
    expect((await post(score, 'application/json')).status).toBe(415);
    const noMax = await post({ ...score, scoreMaximum: undefined });
    expect(noMax.status).toBe(400);
    expect(((await noMax.json()) as any).error_description).toContain('scoreMaximum');
    expect((await post({ ...score, gradingProgress: 'Done' })).status).toBe(400);
    expect((await post({ ...score, userId: 'stranger' })).status).toBe(400);

    em.failNextScores(1, 503);
    expect((await post(score)).status).toBe(503);
    expect(
      em.gradebook('c1').rows.find((r) => r.personId === 'learn-1')!.scores[li.id.split('/').pop()],
    ).toBeUndefined();
    expect((await post(score)).status).toBe(200);
    // An older score does not replace a newer one.
    expect(
      (await post({ ...score, scoreGiven: 3, timestamp: new Date(Date.now() - 60_000).toISOString() })).status,
    ).toBe(200);
    const row = em.gradebook('c1').rows.find((r) => r.personId === 'learn-1')!;
    expect(row.scores[li.id.split('/').pop()]).toMatchObject({ scoreGiven: 17, scoreMaximum: 20 });
    expect(em.scoreLog().map((l) => l.status)).toEqual([400, 503, 200, 200]);

    const results = (await (await fetch(`${li.id}/results`, { headers: auth })).json()) as any;
    expect(results).toEqual([
      { id: `${li.id}/results/learn-1`, scoreOf: li.id, userId: 'learn-1', resultScore: 17, resultMaximum: 20 },
    ]);
    // The gradebook page shows it.
    const page = await (await fetch(`${em.url}/course/c1/gradebook`)).text();
    expect(page).toContain('17 / 20');
  });

  it('refuses a missing token and a token without the scope', async () => {
    const li = `${em.url}/api/courses/c1/lineitems`;
    expect((await fetch(li)).status).toBe(401);
    const { body: t } = await token(NRPS_SCOPE);
    expect((await fetch(li, { headers: { authorization: `Bearer ${t.access_token}` } })).status).toBe(403);
  });
});

describe('NRPS', () => {
  it('pages the memberships with Link rel="next" and sees members added and removed', async () => {
    for (let i = 3; i <= 8; i++) em.addMember('c1', { id: `learn-${i}`, name: `Learner ${i}` }, 'learner');
    const { body: t } = await token(NRPS_SCOPE);
    const seen: any[] = [];
    let url: string | undefined = `${em.url}/api/courses/c1/memberships`;
    let pages = 0;
    while (url) {
      const res = await fetch(url, {
        headers: {
          authorization: `Bearer ${t.access_token}`,
          accept: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
        },
      });
      expect(res.headers.get('content-type')).toBe('application/vnd.ims.lti-nrps.v2.membershipcontainer+json');
      const body = (await res.json()) as any;
      expect(body.context).toMatchObject({ id: 'c1', title: 'Chemistry 101' });
      seen.push(...body.members);
      pages++;
      url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    expect(pages).toBe(2); // 9 members, 5 a page
    expect(seen.map((m) => m.user_id)).toEqual([
      'teach-1',
      'learn-1',
      'learn-2',
      ...[3, 4, 5, 6, 7, 8].map((i) => `learn-${i}`),
    ]);
    expect(seen[0]).toMatchObject({
      status: 'Active',
      name: 'Irene Instructor',
      roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'],
    });
    // Through the control API, as the browser tests do.
    const added = await fetch(`${em.url}/_emulator/courses/c1/members`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'late-1', name: 'Lou Latecomer', email: 'lou@lms.test', role: 'learner' }),
    });
    expect(added.status).toBe(201);
    const learners = (await (
      await fetch(`${em.url}/api/courses/c1/memberships?role=Learner&limit=100`, {
        headers: { authorization: `Bearer ${t.access_token}` },
      })
    ).json()) as any;
    expect(learners.members.map((m: any) => m.user_id)).toContain('late-1');
    expect(learners.members.map((m: any) => m.user_id)).not.toContain('teach-1');
    await fetch(`${em.url}/_emulator/courses/c1/members/late-1`, { method: 'DELETE' });
    const after = (await (
      await fetch(`${em.url}/api/courses/c1/memberships?limit=100`, {
        headers: { authorization: `Bearer ${t.access_token}` },
      })
    ).json()) as any;
    expect(after.members.map((m: any) => m.user_id)).not.toContain('late-1');
  });
});

describe('Deep Linking return', () => {
  async function deepLinkingRequest() {
    const { html } = await authorize(
      em.launchUrl({ kind: 'LtiDeepLinkingRequest', contextId: 'c1', personId: 'teach-1' }),
    );
    const { payload } = await verifyIdToken(formField(html, 'id_token')!);
    expect(payload[`${CLAIM}message_type`]).toBe('LtiDeepLinkingRequest');
    expect(payload[`${CLAIM}roles`]).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor']);
    return payload['https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings'] as any;
  }

  function response(settings: any, key = toolKey) {
    return new SignJWT({
      nonce: crypto.randomUUID(),
      [`${CLAIM}message_type`]: 'LtiDeepLinkingResponse',
      [`${CLAIM}version`]: '1.3.0',
      [`${CLAIM}deployment_id`]: em.deploymentId,
      'https://purl.imsglobal.org/spec/lti-dl/claim/data': settings.data,
      'https://purl.imsglobal.org/spec/lti-dl/claim/content_items': [
        {
          type: 'ltiResourceLink',
          title: 'Final exam',
          url: `${toolUrl}/lti/launch?exam=e9`,
          custom: { exam_id: 'e9' },
          lineItem: { scoreMaximum: 50, label: 'Final exam', resourceId: 'e9' },
        },
      ],
    })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(em.clientId)
      .setAudience(em.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
  }

  const post = (url: string, jwt: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ JWT: jwt }),
    });

  it('creates a resource link and its line item from a signed response, once', async () => {
    const settings = await deepLinkingRequest();
    expect(settings).toMatchObject({
      deep_link_return_url: `${em.url}/deep-link/return`,
      accept_types: ['ltiResourceLink'],
    });
    const forged = await post(settings.deep_link_return_url, await response(settings, otherKey));
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('not accepted');
    const jwt = await response(settings);
    const res = await post(settings.deep_link_return_url, jwt);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Activity added');
    const snap = em.snapshot() as any;
    const link = snap.resourceLinks.find((l: any) => l.title === 'Final exam');
    expect(link).toMatchObject({ url: `${toolUrl}/lti/launch?exam=e9`, custom: { exam_id: 'e9' }, contextId: 'c1' });
    expect(snap.lineItems.find((l: any) => l.resourceLinkId === link.id)).toMatchObject({
      scoreMaximum: 50,
      resourceId: 'e9',
    });
    expect((await post(settings.deep_link_return_url, jwt)).status).toBe(400);
    expect((em.snapshot() as any).resourceLinks.filter((l: any) => l.title === 'Final exam')).toHaveLength(1);
    // The course page offers to open it as each member.
    const course = await (await fetch(`${em.url}/course/c1`)).text();
    expect(course).toContain('Final exam');
    expect(course).toContain('Open as Lena Learner');
  });
});

describe('hostile input', () => {
  it('answers bad requests with 4xx and keeps serving', async () => {
    const big = await fetch(`${em.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a='.padEnd(300 * 1024, 'x'),
    }).catch(() => null);
    // Either refused with 413 or the connection is cut once the cap is passed: never a crash.
    if (big) expect(big.status).toBe(413);
    const garbage = await token(NRPS_SCOPE, 'not.a.jwt');
    expect(garbage).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const json = await fetch(em.accessTokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(400);
    const { body: t } = await token(`${AGS}scope/score`);
    const li = em.addResourceLink('c1', {
      title: 'x',
      url: `${toolUrl}/lti/launch`,
      lineItem: { label: 'x', scoreMaximum: 1 },
    });
    const broken = await fetch(`${em.url}/api/courses/c1/lineitems/${li.lineItemId}/scores`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.access_token}`, 'content-type': SCORE_TYPE },
      body: '{"userId": ',
    });
    expect(broken.status).toBe(400);
    const dl = await fetch(`${em.url}/deep-link/return`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ JWT: 'x.y.z' }),
    });
    expect(dl.status).toBe(400);
    const launch = await fetch(`${em.url}/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ context: 'c1', kind: 'resource', link: 'nope', person: 'learn-1' }),
      redirect: 'manual',
    });
    expect(launch.status).toBe(400);
    expect((await fetch(`${em.url}/course/%E0%A4%A`)).status).toBe(404);
    // Still up.
    expect((await fetch(em.jwksUrl)).status).toBe(200);
  });

  it('signs tampered claims for tests of the tool (claimsFor + sign)', async () => {
    const link = em.addResourceLink('c1', { title: 'Quiz', url: `${toolUrl}/lti/launch?exam=e3` });
    const claims = em.claimsFor({
      kind: 'LtiResourceLinkRequest',
      contextId: 'c1',
      personId: 'learn-1',
      resourceLinkId: link.id,
      nonce: 'n1',
    });
    const jwt = await em.sign({ ...claims, [`${CLAIM}deployment_id`]: 'other-deployment' }, { expiresInSeconds: 60 });
    const { payload } = await verifyIdToken(jwt);
    expect(payload).toMatchObject({ sub: 'learn-1', nonce: 'n1', [`${CLAIM}deployment_id`]: 'other-deployment' });
    expect(payload[`${CLAIM}resource_link`]).toMatchObject({ id: link.id });
  });
});
