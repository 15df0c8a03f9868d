// The role matrix, for every route the API declares (read from /api/openapi.json, so a new
// route is checked without editing this file): anonymous callers get 401 on everything that
// is not public, and a signed-in role outside a route's list gets 403 before any input is
// read or anything changes. Ownership (404 for someone else's record) has its own tests per domain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { roles, type Role } from '@exam-hall/protocol';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';

type Access = 'public' | 'signed-in' | Role[];
interface Op {
  method: string;
  path: string;
  access: Access;
}

let t: TestSystem;
const clients = new Map<Role | 'anonymous', Client>();
let ops: Op[] = [];

beforeAll(async () => {
  t = await startTestSystem();
  clients.set('anonymous', new Client(t.url));
  for (const role of roles) {
    const user = await t.createUser(role);
    const c = new Client(t.url);
    expect((await c.post('/api/auth/sign-in', { email: user.email, password: user.password })).status).toBe(200);
    clients.set(role, c);
  }
  const doc = (await clients.get('anonymous')!.get('/api/openapi.json')).body as {
    paths: Record<string, Record<string, { 'x-access'?: Access }>>;
  };
  ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, access: op['x-access']! })),
  );
});

afterAll(async () => {
  await t?.close();
});

/** A concrete URL: every path parameter a fresh UUID (the role check comes before any lookup). */
const urlOf = (path: string) => path.replace(/\{(\w+)\}/g, () => randomUUID());

describe('the role matrix of every route', () => {
  it('declares who may call each route', () => {
    expect(ops.length).toBeGreaterThan(80);
    const undeclared = ops.filter((o) => o.access === undefined).map((o) => `${o.method} ${o.path}`);
    expect(undeclared).toEqual([]);
  });

  it('answers 401 to anonymous callers and 403 to roles outside the list, changing nothing', async () => {
    const auditBefore = await t.system.db.execute(sql`select count(*)::int as n from audit_logs`);
    const wrong: string[] = [];
    let checked = 0;
    for (const op of ops) {
      if (op.access === 'public') continue;
      const refused: (Role | 'anonymous')[] = ['anonymous'];
      if (Array.isArray(op.access)) refused.push(...roles.filter((r) => !(op.access as Role[]).includes(r)));
      for (const who of refused) {
        const reply = await clients.get(who)!.request(op.method, urlOf(op.path), op.method === 'GET' ? undefined : {});
        const expected = who === 'anonymous' ? 401 : 403;
        checked++;
        if (reply.status !== expected) {
          wrong.push(`${who} ${op.method} ${op.path}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(150);
    // Refusals write no audit rows of their own beyond sign-in, and change nothing.
    const auditAfter = await t.system.db.execute(sql`select count(*)::int as n from audit_logs`);
    expect(auditAfter.rows[0]).toEqual(auditBefore.rows[0]);
    console.log(`rbac: ${ops.length} routes, ${checked} refusals checked`);
  });
});
