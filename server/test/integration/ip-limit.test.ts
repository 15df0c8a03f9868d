import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';

let t: TestSystem;
beforeAll(async () => {
  // Behind a trusted proxy the client address comes from X-Forwarded-For.
  t = await startTestSystem({ SIGN_IN_MAX_PER_IP: '4', TRUST_PROXY: 'loopback' });
});
afterAll(() => t?.close());

describe('sign-in limit per IP address', () => {
  it('caps attempts from one address across accounts, not other addresses', async () => {
    const from = (ip: string) => new Client(t.url, { 'x-forwarded-for': ip });
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => t.createUser('student')));
    for (const u of users.slice(0, 4)) expect((await from('203.0.113.7').signIn(u.email, u.password)).status).toBe(200);
    const blocked = await from('203.0.113.7').signIn(users[4]!.email, users[4]!.password);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toMatch(/from your network/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from('198.51.100.9').signIn(users[4]!.email, users[4]!.password)).status).toBe(200);
  });
});
