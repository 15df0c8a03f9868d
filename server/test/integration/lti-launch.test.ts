// LTI 1.3 core against a tiny in-test platform (its own RS256 key pair and a JWKS served by
// a local HTTP server): registration, OIDC login, launches that must work (instructor,
// learner, deep linking) and launches that must be refused, each without creating an account.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, like, sql } from 'drizzle-orm';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { LTI_CLAIMS, LTI_ROLES } from '@exam-hall/protocol';
import {
  auditLogs,
  enrollments,
  examParticipants,
  ltiContexts,
  ltiLoginStates,
  ltiResourceLinks,
  ltiUsers,
  users,
} from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';

const ISSUER = 'https://lms.test.example';
const CLIENT_ID = 'exam-hall-client';
const DEPLOYMENT = 'deploy-1';
const PUBLIC_URL = 'http://localhost:3000';

let t: TestSystem;
let jwksServer: Server;
let platformKey: { privateKey: CryptoKey; kid: string };
let admin: Awaited<ReturnType<typeof signedIn>>;

async function userCount() {
  const [row] = await t.system.db.select({ n: count() }).from(users);
  return row!.n;
}

/** Step 1: the platform's login initiation; answers the state and nonce we were redirected with. */
async function login(extra: Record<string, string> = {}) {
  const q = new URLSearchParams({
    iss: ISSUER,
    login_hint: 'hint-1',
    target_link_uri: `${PUBLIC_URL}/lti/launch`,
    client_id: CLIENT_ID,
    lti_message_hint: 'msg-1',
    ...extra,
  });
  const res = await fetch(`${t.url}/lti/login?${q}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const to = new URL(res.headers.get('location')!);
  return { state: to.searchParams.get('state')!, nonce: to.searchParams.get('nonce')!, to };
}

interface TokenOptions {
  nonce: string;
  claims?: Record<string, unknown>;
  drop?: string[];
  key?: CryptoKey;
  kid?: string;
  aud?: string | string[];
}

function launchClaims(kind: 'learner' | 'instructor', extra: Record<string, unknown> = {}) {
  return {
    sub: `${kind}-sub`,
    name: kind === 'learner' ? 'Lena Learner' : 'Ivan Instructor',
    email: kind === 'learner' ? 'Lena.Learner@School.Example' : 'ivan@school.example',
    [LTI_CLAIMS.messageType]: 'LtiResourceLinkRequest',
    [LTI_CLAIMS.version]: '1.3.0',
    [LTI_CLAIMS.deploymentId]: DEPLOYMENT,
    [LTI_CLAIMS.targetLinkUri]: `${PUBLIC_URL}/lti/launch`,
    [LTI_CLAIMS.roles]: [kind === 'learner' ? LTI_ROLES.learner : LTI_ROLES.instructor],
    [LTI_CLAIMS.resourceLink]: { id: 'rl-1', title: 'Midterm' },
    [LTI_CLAIMS.context]: { id: 'ctx-1', title: 'Biology 101', label: 'BIO101' },
    [LTI_CLAIMS.ags]: {
      scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/score'],
      lineitems: 'https://lms.test.example/ctx-1/lineitems',
      lineitem: 'https://lms.test.example/ctx-1/lineitems/7',
    },
    [LTI_CLAIMS.nrps]: { context_memberships_url: 'https://lms.test.example/ctx-1/memberships' },
    ...extra,
  };
}

async function idToken(claims: Record<string, unknown>, o: TokenOptions) {
  const payload: Record<string, unknown> = { ...claims, nonce: o.nonce, ...(o.claims ?? {}) };
  for (const k of o.drop ?? []) delete payload[k];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? platformKey.kid })
    .setIssuer(ISSUER)
    .setAudience(o.aud ?? CLIENT_ID)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(o.key ?? platformKey.privateKey);
}

/** Step 2: the form post of id_token + state; cookies and redirect as a browser would see them. */
async function postLaunch(fields: Record<string, string>, contentType = 'application/x-www-form-urlencoded') {
  const res = await fetch(`${t.url}/lti/launch`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': contentType, origin: 'https://lms.test.example' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), res };
}

/** A signed-in client from a launch's cookies. */
function clientFrom(res: Response) {
  const c = new Client(t.url);
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const i = pair!.indexOf('=');
    c.jar.set(pair!.slice(0, i), pair!.slice(i + 1));
  }
  return c;
}

async function launchAs(kind: 'learner' | 'instructor', extra: Record<string, unknown> = {}) {
  const { state, nonce } = await login();
  const token = await idToken(launchClaims(kind, extra), { nonce });
  return postLaunch({ id_token: token, state });
}

/** Refused with the given status and words, and no account made. */
async function expectRefused(p: Promise<{ status: number; text: string }>, status: number, words: RegExp) {
  const before = await userCount();
  const r = await p;
  expect(r.status).toBe(status);
  expect(r.text.replaceAll('&#39;', "'").replaceAll('&quot;', '"')).toMatch(words);
  expect(await userCount()).toBe(before);
}

beforeAll(async () => {
  t = await startTestSystem({ LTI_MAX_PER_IP_PER_MINUTE: '10000' });
  const pair = await generateKeyPair('RS256', { extractable: true });
  platformKey = { privateKey: pair.privateKey, kid: 'platform-key-1' };
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: platformKey.kid, alg: 'RS256', use: 'sig' };
  jwksServer = createServer((_req, res) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  admin = await signedIn(t, 'admin');
  const created = await admin.post('/api/lti/platforms', {
    name: 'Test LMS',
    issuer: ISSUER,
    clientId: CLIENT_ID,
    deploymentIds: [DEPLOYMENT],
    authLoginUrl: 'https://lms.test.example/auth?x=1',
    accessTokenUrl: 'https://lms.test.example/token',
    jwksUrl,
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  jwksServer?.close();
  await t?.close();
});

describe('platform registration', () => {
  it('is for admins only, validates each field by name, and refuses duplicates', async () => {
    const teacher = await signedIn(t, 'teacher');
    expect((await teacher.get('/api/lti/platforms')).status).toBe(403);
    const bad = await admin.post('/api/lti/platforms', {
      name: 'Plain http',
      issuer: 'http://lms.elsewhere.example',
      clientId: 'x',
      deploymentIds: [],
      authLoginUrl: 'not a url',
      accessTokenUrl: 'http://127.0.0.1:9/token',
      jwksUrl: 'https://lms.elsewhere.example/jwks',
    });
    expect(bad.status).toBe(400);
    const paths = (bad.body.error.fields as { path: string }[]).map((f) => f.path).sort();
    expect(paths).toEqual(['body.authLoginUrl', 'body.deploymentIds', 'body.issuer']);
    const list = await admin.get('/api/lti/platforms');
    expect(list.body.platforms).toHaveLength(1);
    const dup = await admin.post('/api/lti/platforms', { ...list.body.platforms[0], name: 'Again' });
    expect(dup.status).toBe(409);
    const config = await admin.get('/api/lti/configuration');
    expect(config.body).toMatchObject({
      loginUrl: `${PUBLIC_URL}/lti/login`,
      launchUrl: `${PUBLIC_URL}/lti/launch`,
      jwksUrl: `${PUBLIC_URL}/lti/jwks`,
    });
    expect(config.body.scopes).toContain('https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly');
  });
});

describe('login initiation', () => {
  it('redirects to the platform with the OIDC parameters and keeps state + nonce server-side', async () => {
    const { to, state, nonce } = await login();
    expect(to.origin + to.pathname).toBe('https://lms.test.example/auth');
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      x: '1',
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: CLIENT_ID,
      redirect_uri: `${PUBLIC_URL}/lti/launch`,
      login_hint: 'hint-1',
      lti_message_hint: 'msg-1',
    });
    const [row] = await t.system.db.select().from(ltiLoginStates).where(eq(ltiLoginStates.state, state));
    expect(row?.nonce).toBe(nonce);
    expect(row!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
  });

  it('refuses unknown issuers, foreign targets, unregistered deployments and garbage with a 4xx page', async () => {
    const get = (q: string) => fetch(`${t.url}/lti/login?${q}`, { redirect: 'manual' });
    const unknown = await get(
      `iss=${encodeURIComponent('https://other.example')}&login_hint=a&target_link_uri=${PUBLIC_URL}/`,
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/not registered/);
    const foreign = await get(`iss=${encodeURIComponent(ISSUER)}&login_hint=a&target_link_uri=https://evil.example/`);
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toMatch(/does not point to this Exam Hall/);
    const deployment = await get(
      `iss=${encodeURIComponent(ISSUER)}&login_hint=a&target_link_uri=${PUBLIC_URL}/&lti_deployment_id=nope`,
    );
    expect(deployment.status).toBe(403);
    for (const q of [
      '',
      'iss[]=a&iss[]=b',
      `iss=${'x'.repeat(5000)}&login_hint=a&target_link_uri=b`,
      'iss=%00&login_hint=a',
    ])
      expect((await get(q)).status).toBe(400);
    const json = await fetch(`${t.url}/lti/login`, {
      method: 'POST',
      body: '{"iss":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(415);
  });
});

describe('launch', () => {
  let examId: string;

  it('deep linking: an instructor places one of their exams with a signed LtiDeepLinkingResponse', async () => {
    const { state, nonce } = await login();
    const token = await idToken(
      launchClaims('instructor', {
        [LTI_CLAIMS.messageType]: 'LtiDeepLinkingRequest',
        [LTI_CLAIMS.resourceLink]: undefined,
        [LTI_CLAIMS.deepLinkingSettings]: {
          deep_link_return_url: 'https://lms.test.example/deep-link-return',
          accept_types: ['ltiResourceLink'],
          data: 'opaque-123',
        },
      }),
      { nonce },
    );
    const r = await postLaunch({ id_token: token, state });
    expect(r.status).toBe(303);
    const id = r.location!.match(/^\/lti\/deep-link\/([A-Za-z0-9_-]+)$/)![1]!;
    const teacher = clientFrom(r.res);
    expect((await teacher.get('/api/auth/me')).body.user.role).toBe('teacher');
    examId = (await publishedExam(t, teacher)).id;
    const pending = await teacher.get(`/api/lti/deep-link/${id}`);
    expect(pending.status).toBe(200);
    expect(pending.body.exams.map((e: { id: string }) => e.id)).toContain(examId);
    // Someone else's session cannot see or answer it.
    const other = await signedIn(t, 'teacher');
    expect((await other.get(`/api/lti/deep-link/${id}`)).status).toBe(404);
    const chosen = await teacher.post(`/api/lti/deep-link/${id}`, { examId });
    expect(chosen.status).toBe(200);
    expect(chosen.body.returnUrl).toBe('https://lms.test.example/deep-link-return');
    const jwks = (await (await fetch(`${t.url}/lti/jwks`)).json()) as { keys: JWK[] };
    const { payload, protectedHeader } = await jwtVerify(chosen.body.jwt, createLocalJWKSet(jwks), {
      issuer: CLIENT_ID,
      audience: ISSUER,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload.nonce).toBeTruthy();
    expect(payload[LTI_CLAIMS.messageType]).toBe('LtiDeepLinkingResponse');
    expect(payload[LTI_CLAIMS.deploymentId]).toBe(DEPLOYMENT);
    expect(payload[LTI_CLAIMS.data]).toBe('opaque-123');
    expect(payload[LTI_CLAIMS.contentItems]).toEqual([
      {
        type: 'ltiResourceLink',
        title: 'Hall exam',
        url: `${PUBLIC_URL}/lti/launch?exam=${examId}`,
        custom: { exam_id: examId },
        lineItem: { scoreMaximum: expect.any(Number), label: 'Hall exam', resourceId: examId },
      },
    ]);
    // One answer per request.
    expect((await teacher.post(`/api/lti/deep-link/${id}`, { examId })).status).toBe(404);
  });

  it('instructor: same account again, the exam teacher page, the link with its AGS line item', async () => {
    const r = await launchAs('instructor', { [LTI_CLAIMS.custom]: { exam_id: examId } });
    expect(r.status).toBe(303);
    expect(r.location).toBe(`/teach/exams/${examId}`);
    const [link] = await t.system.db.select().from(ltiResourceLinks).where(eq(ltiResourceLinks.resourceLinkId, 'rl-1'));
    expect(link).toMatchObject({ examId, lineItemUrl: 'https://lms.test.example/ctx-1/lineitems/7', title: 'Midterm' });
    const [ctx] = await t.system.db.select().from(ltiContexts).where(eq(ltiContexts.contextId, 'ctx-1'));
    expect(ctx).toMatchObject({
      membershipsUrl: 'https://lms.test.example/ctx-1/memberships',
      lineItemsUrl: 'https://lms.test.example/ctx-1/lineitems',
      title: 'Biology 101',
    });
    expect(ctx!.courseId).toBeTruthy();
    const [n] = await t.system.db.select({ n: count() }).from(ltiUsers).where(eq(ltiUsers.sub, 'instructor-sub'));
    expect(n!.n).toBe(1);
  });

  it('learner: account with the LMS email, enrolled, a participant of the exam, signed in', async () => {
    const r = await launchAs('learner');
    expect(r.status).toBe(303);
    // No attempt yet: the home page, told to enter the linked exam at once.
    expect(r.location).toMatch(/^\/\?exam=[0-9a-f-]{36}$/);
    const me = await clientFrom(r.res).get('/api/auth/me');
    expect(me.body.user).toMatchObject({ role: 'student', email: 'lena.learner@school.example', name: 'Lena Learner' });
    const userId = me.body.user.id as string;
    const [p] = await t.system.db
      .select({ n: count() })
      .from(examParticipants)
      .where(and(eq(examParticipants.examId, examId), eq(examParticipants.userId, userId)));
    expect(p!.n).toBe(1);
    const [e] = await t.system.db.select().from(enrollments).where(eq(enrollments.userId, userId));
    expect(e).toMatchObject({ role: 'student', status: 'active' });
    // A second launch finds the same account.
    const again = await launchAs('learner');
    expect(again.status).toBe(303);
    expect((await clientFrom(again.res).get('/api/auth/me')).body.user.id).toBe(userId);
    // Nothing secret in the logs.
    expect(t.logs.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/);
  });

  it('stores what an LMS sends with control characters, cleaned', async () => {
    const r = await launchAs('instructor', {
      [LTI_CLAIMS.context]: { id: 'ctx-nul', title: 'Bio\u0000logy\ud800' },
      [LTI_CLAIMS.resourceLink]: { id: 'rl-nul', title: 'T\u0000' },
      [LTI_CLAIMS.custom]: { exam_id: examId },
    });
    expect(r.status).toBe(303);
    const [ctx] = await t.system.db.select().from(ltiContexts).where(eq(ltiContexts.contextId, 'ctx-nul'));
    expect(ctx!.title).toBe('Bio logy\ufffd');
  });

  it('takes no existing account by email: a taken address gets a non-routable one', async () => {
    const r = await launchAs('learner', { sub: 'other-sub', email: 'lena.learner@school.example' });
    expect(r.status).toBe(303);
    const me = await clientFrom(r.res).get('/api/auth/me');
    expect(me.body.user.email).toMatch(/^lti-[0-9a-f]{20}@lms\.test\.example\.lti\.invalid$/);
  });

  it('refuses a learner in an LMS course no instructor opened yet', async () => {
    await expectRefused(
      launchAs('learner', { sub: 'new-learner', [LTI_CLAIMS.context]: { id: 'ctx-unknown' } }),
      403,
      /not set up in Exam Hall yet/,
    );
  });

  it('refuses a role mismatch and never signs an admin in', async () => {
    await expectRefused(
      launchAs('learner', { sub: 'instructor-sub', [LTI_CLAIMS.roles]: [LTI_ROLES.learner] }),
      403,
      /staff account/,
    );
    const [row] = await t.system.db.select().from(ltiUsers).where(eq(ltiUsers.sub, 'learner-sub'));
    await t.system.db.update(users).set({ role: 'admin' }).where(eq(users.id, row!.userId));
    await expectRefused(launchAs('learner'), 403, /Administrator accounts cannot sign in/);
    await t.system.db.update(users).set({ role: 'student' }).where(eq(users.id, row!.userId));
  });
});

describe('placements and outages', () => {
  it("refuses a link to another teacher's exam, and a link that names no exam", async () => {
    const other = await signedIn(t, 'teacher');
    const foreign = await publishedExam(t, other);
    await expectRefused(
      launchAs('instructor', {
        [LTI_CLAIMS.resourceLink]: { id: 'rl-foreign' },
        [LTI_CLAIMS.custom]: { exam_id: foreign.id },
      }),
      403,
      /does not belong to this course/,
    );
    await expectRefused(
      launchAs('learner', { [LTI_CLAIMS.resourceLink]: { id: 'rl-nothing' } }),
      400,
      /does not say which exam to open/,
    );
  });

  it("answers 503 with a clear page when the LMS's JWKS cannot be read", async () => {
    const created = await admin.post('/api/lti/platforms', {
      name: 'Down LMS',
      issuer: ISSUER,
      clientId: 'client-down',
      deploymentIds: [DEPLOYMENT],
      authLoginUrl: 'https://lms.test.example/auth',
      accessTokenUrl: 'https://lms.test.example/token',
      jwksUrl: 'http://127.0.0.1:1/jwks',
    });
    expect(created.status).toBe(201);
    const { state, nonce } = await login({ client_id: 'client-down' });
    const token = await idToken(launchClaims('learner', { sub: 'down-sub' }), { nonce, aud: 'client-down' });
    await expectRefused(postLaunch({ id_token: token, state }), 503, /key set \(JWKS URL\) could not be read/);
    // Switched off: its logins are refused.
    expect((await admin.post(`/api/lti/platforms/${created.body.id}/deactivate`)).body.active).toBe(false);
    const res = await fetch(
      `${t.url}/lti/login?iss=${encodeURIComponent(ISSUER)}&login_hint=a&target_link_uri=${PUBLIC_URL}/&client_id=client-down`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
  });
});

describe('refused launches create no account', () => {
  const fresh = (extra: Record<string, unknown> = {}) =>
    launchClaims('learner', { sub: `sub-${Math.random()}`, ...extra });

  it('expired state', async () => {
    const { state, nonce } = await login();
    await t.system.db
      .update(ltiLoginStates)
      .set({ expiresAt: sql`now() - interval '1 minute'` })
      .where(eq(ltiLoginStates.state, state));
    await expectRefused(postLaunch({ id_token: await idToken(fresh(), { nonce }), state }), 400, /expired/);
  });

  it('replayed state, and a replayed nonce under a new state', async () => {
    const first = await login();
    const token = await idToken(fresh(), { nonce: first.nonce });
    expect((await postLaunch({ id_token: token, state: first.state })).status).toBe(303);
    await expectRefused(postLaunch({ id_token: token, state: first.state }), 400, /already used/);
    const second = await login();
    await expectRefused(postLaunch({ id_token: token, state: second.state }), 401, /nonce does not match/);
  });

  it('wrongly signed: another key (same kid and unknown kid), alg none, HS256', async () => {
    const other = await generateKeyPair('RS256');
    let s = await login();
    await expectRefused(
      postLaunch({ id_token: await idToken(fresh(), { nonce: s.nonce, key: other.privateKey }), state: s.state }),
      401,
      /signature does not match/,
    );
    s = await login();
    await expectRefused(
      postLaunch({
        id_token: await idToken(fresh(), { nonce: s.nonce, key: other.privateKey, kid: 'unknown-kid' }),
        state: s.state,
      }),
      401,
      /key the LMS's JWKS does not publish/,
    );
    s = await login();
    const none = new UnsecuredJWT({ ...fresh(), nonce: s.nonce })
      .setIssuer(ISSUER)
      .setAudience(CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    await expectRefused(postLaunch({ id_token: none, state: s.state }), 401, /launch token/);
    s = await login();
    const hs = await new SignJWT({ ...fresh(), nonce: s.nonce })
      .setProtectedHeader({ alg: 'HS256', kid: platformKey.kid })
      .setIssuer(ISSUER)
      .setAudience(CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    await expectRefused(postLaunch({ id_token: hs, state: s.state }), 401, /RS256/);
  });

  it('wrong audience, several audiences without azp', async () => {
    let s = await login();
    await expectRefused(
      postLaunch({ id_token: await idToken(fresh(), { nonce: s.nonce, aud: 'someone-else' }), state: s.state }),
      401,
      /not addressed to this tool/,
    );
    s = await login();
    await expectRefused(
      postLaunch({ id_token: await idToken(fresh(), { nonce: s.nonce, aud: [CLIENT_ID, 'other'] }), state: s.state }),
      401,
      /authorized party/,
    );
  });

  it('unregistered deployment, wrong version, missing claims', async () => {
    const cases: [Record<string, unknown>, string[], number, RegExp][] = [
      [{ [LTI_CLAIMS.deploymentId]: 'deploy-x' }, [], 403, /deployment is not registered/],
      [{ [LTI_CLAIMS.version]: '1.1' }, [], 400, /not LTI version 1\.3\.0/],
      [{}, [LTI_CLAIMS.messageType], 400, /not an LtiResourceLinkRequest/],
      [{}, [LTI_CLAIMS.roles], 400, /"roles" claim/],
      [{}, [LTI_CLAIMS.resourceLink], 400, /"resource_link" claim/],
      [{}, [LTI_CLAIMS.context], 400, /"context" claim/],
      [
        { [LTI_CLAIMS.roles]: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor'] },
        [],
        403,
        /instructors and learners only/,
      ],
    ];
    for (const [claims, drop, status, words] of cases) {
      const s = await login();
      await expectRefused(
        postLaunch({ id_token: await idToken(fresh(claims), { nonce: s.nonce, drop }), state: s.state }),
        status,
        words,
      );
    }
  });

  it('hostile input on /lti/launch is a 4xx page, never a crash', async () => {
    await expectRefused(postLaunch({ id_token: 'garbage', state: 'nope' }), 400, /unknown state/);
    const s = await login();
    await expectRefused(postLaunch({ id_token: 'not.a.jwt', state: s.state }), 401, /not a valid signed JWT/);
    expect((await postLaunch({ id_token: 'x', state: 'y' }, 'application/json')).status).toBe(415);
    expect((await postLaunch({})).status).toBe(400);
    expect((await postLaunch({ id_token: 'x'.repeat(100_000), state: 'y' })).status).toBe(413);
    const arr = await fetch(`${t.url}/lti/launch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id_token=a&id_token=b&state=%00',
    });
    expect(arr.status).toBe(400);
    expect((await fetch(`${t.url}/lti/launch`)).status).toBe(405);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

describe('tool keys', () => {
  it('publishes next + active; rotation activates next and keeps the old key published', async () => {
    const jwks = async () =>
      ((await (await fetch(`${t.url}/lti/jwks`)).json()) as { keys: JWK[] }).keys.map((k) => k.kid);
    const before = await jwks();
    expect(before).toHaveLength(2);
    const res = await fetch(`${t.url}/lti/jwks`);
    expect(res.headers.get('cache-control')).toMatch(/max-age=300/);
    const body = (await res.json()) as { keys: JWK[] };
    for (const k of body.keys) expect(k).not.toHaveProperty('d');
    expect((await (await signedIn(t, 'teacher')).post('/api/lti/keys/rotate')).status).toBe(403);
    const rotated = await admin.post('/api/lti/keys/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ activeKid: before[1], retiredKid: before[0] });
    const after = await jwks();
    expect(after).toHaveLength(3);
    expect(after[0]).toBe(before[1]);
    expect(after).toContain(before[0]);
  });
});

describe('rate limit', () => {
  it('answers 429 past the per-address limit, before any work', async () => {
    const small = await startTestSystem({ LTI_MAX_PER_IP_PER_MINUTE: '3' });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 6 }, () =>
          fetch(`${small.url}/lti/login?iss=x&login_hint=a&target_link_uri=b`, { redirect: 'manual' }).then(
            (r) => r.status,
          ),
        ),
      );
      expect(statuses.filter((s) => s === 429)).toHaveLength(3);
      expect(statuses.filter((s) => s === 400)).toHaveLength(3);
    } finally {
      await small.close();
    }
  });
});

describe('audit', () => {
  it('records registrations, launches, placements and rotations without personal data', async () => {
    const rows = await t.system.db.select().from(auditLogs).where(like(auditLogs.action, 'lti.%'));
    const actions = new Set(rows.map((r) => r.action));
    for (const a of [
      'lti.platform_registered',
      'lti.platform_deactivated',
      'lti.launch',
      'lti.deep_link_placed',
      'lti.key_rotated',
    ])
      expect(actions).toContain(a);
    const details = JSON.stringify(rows.map((r) => r.details));
    expect(details).not.toMatch(/@|school\.example|Lena|eyJ/);
  });
});
