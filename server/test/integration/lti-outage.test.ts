// LTI with Redis gone: logins still work (the per-IP limit falls back to memory), and a
// Deep Linking launch, which needs Redis to remember the request, answers a clear 503 page
// and creates nothing (not even the account).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { LTI_CLAIMS, LTI_ROLES } from '@exam-hall/protocol';
import { users } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { signedIn } from '../support/fixtures.ts';
import { startOwnRedis, stopOwnServices, type OwnRedis } from '../support/own-services.ts';

const ISSUER = 'https://lms.outage.example';
let t: TestSystem;
let redis: OwnRedis;
let jwks: Server;
let privateKey: CryptoKey;

beforeAll(async () => {
  redis = await startOwnRedis();
  t = await startTestSystem({ REDIS_URL: redis.url });
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  jwks = createServer((_q, r) => r.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const admin = await signedIn(t, 'admin');
  const created = await admin.post('/api/lti/platforms', {
    name: 'LMS',
    issuer: ISSUER,
    clientId: 'c1',
    deploymentIds: ['d1'],
    authLoginUrl: 'https://lms.outage.example/auth',
    accessTokenUrl: 'https://lms.outage.example/token',
    jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`,
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  jwks?.close();
  await t?.close();
  await stopOwnServices();
});

it('Redis down: login works, a deep-linking launch is a 503 page and creates nothing', async () => {
  await redis.stop();
  const q = new URLSearchParams({ iss: ISSUER, login_hint: 'h', target_link_uri: 'http://localhost:3000/lti/launch' });
  const login = await fetch(`${t.url}/lti/login?${q}`, { redirect: 'manual' });
  expect(login.status).toBe(302);
  const to = new URL(login.headers.get('location')!);
  const token = await new SignJWT({
    nonce: to.searchParams.get('nonce'),
    sub: 'teacher-1',
    [LTI_CLAIMS.messageType]: 'LtiDeepLinkingRequest',
    [LTI_CLAIMS.version]: '1.3.0',
    [LTI_CLAIMS.deploymentId]: 'd1',
    [LTI_CLAIMS.roles]: [LTI_ROLES.instructor],
    [LTI_CLAIMS.context]: { id: 'ctx' },
    [LTI_CLAIMS.deepLinkingSettings]: {
      deep_link_return_url: 'https://lms.outage.example/r',
      accept_types: ['ltiResourceLink'],
    },
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience('c1')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
  const [before] = await t.system.db.select({ n: count() }).from(users);
  const res = await fetch(`${t.url}/lti/launch`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ id_token: token, state: to.searchParams.get('state')! }).toString(),
  });
  expect(res.status).toBe(503);
  expect(await res.text()).toMatch(/cannot store the content selection right now/);
  const [after] = await t.system.db.select({ n: count() }).from(users);
  expect(after!.n).toBe(before!.n);
  expect((await fetch(`${t.url}/lti/jwks`)).status).toBe(200);
  // Back, so the system closes as it would in production.
  await redis.start();
});
