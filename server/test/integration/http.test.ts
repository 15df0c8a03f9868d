import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';

let t: TestSystem;
beforeAll(async () => {
  t = await startTestSystem({ BODY_LIMIT_KB: '2' });
});
afterAll(() => t?.close());

async function signedIn(role: 'admin' | 'teacher' | 'proctor' | 'student') {
  const user = await t.createUser(role);
  const c = new Client(t.url);
  expect((await c.signIn(user.email, user.password)).status).toBe(200);
  return c;
}

describe('role checks', () => {
  it('lets only admins read the audit log', async () => {
    expect((await new Client(t.url).get('/api/audit-logs')).status).toBe(401);
    for (const role of ['teacher', 'proctor', 'student'] as const) {
      const res = await (await signedIn(role)).get('/api/audit-logs');
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'forbidden', message: 'This needs one of the roles: admin.' });
    }
    const admin = await signedIn('admin');
    const res = await admin.get('/api/audit-logs?limit=5');
    expect(res.status).toBe(200);
    expect(res.body.entries.length).toBeGreaterThan(0);
    expect(res.body.entries[0]).toHaveProperty('action');
  });
});

describe('validation and the error shape', () => {
  it('answers 400 naming every bad field', async () => {
    const res = await new Client(t.url).post('/api/auth/sign-in', { email: 'not-an-email' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.requestId).toMatch(/.{8,}/);
    expect(res.body.error.fields).toEqual([
      { path: 'body.email', message: 'Enter a valid email address' },
      { path: 'body.password', message: 'Password is required' },
    ]);
  });

  it('validates query strings and path parameters too', async () => {
    const admin = await signedIn('admin');
    const q = await admin.get('/api/audit-logs?limit=1000');
    expect(q.status).toBe(400);
    expect(q.body.error.fields).toEqual([{ path: 'query.limit', message: 'limit must be at most 200' }]);
    const p = await admin.delete('/api/auth/sessions/not-a-uuid');
    expect(p.status).toBe(400);
    expect(p.body.error.fields).toEqual([{ path: 'params.id', message: 'Session id must be a UUID' }]);
  });

  it('answers malformed JSON, oversized bodies and unknown routes in the same shape', async () => {
    const c = new Client(t.url);
    const bad = await c.request('POST', '/api/auth/sign-in', '{"email":', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ path: 'body', message: 'must be valid JSON' }]);
    const big = await c.post('/api/auth/sign-in', { email: 'a@b.example', password: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const missing = await c.get('/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'not_found', message: 'No API route GET /api/nothing-here.' });
  });

  it('refuses state-changing requests from another origin', async () => {
    const user = await t.createUser('student');
    const res = await new Client(t.url).post(
      '/api/auth/sign-in',
      { email: user.email, password: user.password },
      { origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('echoes a request id and sets security headers', async () => {
    const res = await new Client(t.url).request('GET', '/api/auth/me', undefined, {
      'x-request-id': 'test-request-0001',
    });
    expect(res.headers.get('x-request-id')).toBe('test-request-0001');
    expect(res.body.error.requestId).toBe('test-request-0001');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('health and API reference', () => {
  it('reports database and Redis status', async () => {
    const res = await new Client(t.url).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok', redis: 'ok' });
  });

  it('serves an OpenAPI document generated from the route schemas, and a docs page', async () => {
    const c = new Client(t.url);
    const doc = await c.get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const signIn = doc.body.paths['/api/auth/sign-in'].post;
    expect(signIn.requestBody.content['application/json'].schema.properties).toHaveProperty('email');
    expect(doc.body.paths['/api/auth/sessions/{id}'].delete.parameters[0]).toMatchObject({ in: 'path', name: 'id' });
    expect(doc.body.paths['/api/audit-logs'].get.description).toBe('Roles: admin');
    const page = await c.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.body).toContain('swagger-ui');
    expect((await c.get('/api/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });
});

describe('kept-alive connections', () => {
  it("stay open past Node's 5 s default, so a proxy reusing one after 6 s is not cut off", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = http.get(`${t.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket }));
        });
        req.on('error', reject);
      });
    try {
      expect(await get()).toEqual({ status: 200, reused: false });
      // Idle longer than Node's default keepAliveTimeout (5 s), as between a proxy's requests.
      await new Promise((r) => setTimeout(r, 6000));
      expect(await get()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);
});
