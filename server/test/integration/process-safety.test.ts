// What an outside test broke, proved fixed against a real server process (a crash is
// an exit, not a thrown error): Engine.IO's path is answered by Engine.IO alone, the
// websocket handshake checks the Origin, the development origins all work, and the
// process-wide policy for failures nobody caught.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { createDb } from '../../src/db/client.ts';
import { hashPassword } from '../../src/modules/auth/auth.passwords.ts';
import { insertUser } from '../../src/modules/auth/auth.repository.ts';
import { createTestDatabase } from '../support/test-db.ts';
import { freePort, startServerProcess, type ServerProcess } from '../support/processes.ts';
import { Client } from '../support/http-client.ts';

const faultEntry = fileURLToPath(new URL('../support/fault-process.ts', import.meta.url));
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: ReturnType<typeof createDb>;
const running: ServerProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(database.url, 2);
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  await db?.pool.end();
  await database?.drop();
});

async function start(env: Record<string, string> = {}, entry?: string) {
  const p = await startServerProcess(
    {
      DATABASE_URL: database.url,
      REDIS_PREFIX: `ps${randomBytes(4).toString('hex')}`,
      // HTTP and sockets are what is tried here; the workers have tests of their own.
      EXAM_HALL_ROLE: 'api',
      ...env,
    },
    entry ? { entry } : {},
  );
  running.push(p);
  return p;
}

async function proctorCookie(url: string): Promise<string> {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const email = `proctor-${randomBytes(4).toString('hex')}@test.example`;
  await insertUser(db.db, { email, name: 'Proctor', role: 'proctor', passwordHash: await hashPassword(password) });
  const c = new Client(url);
  expect((await c.signIn(email, password)).status).toBe(200);
  return c.cookieHeader();
}

/** Resolves 'connected' or the handshake's error message. */
function handshake(url: string, headers: Record<string, string>, transport: 'websocket' | 'polling') {
  return new Promise<string>((resolve) => {
    const socket = connect(url, { transports: [transport], extraHeaders: headers, reconnection: false, timeout: 5000 });
    socket.once('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(`refused: ${err.message}`);
    });
  });
}

async function alive(p: ServerProcess) {
  expect(p.child.exitCode).toBeNull();
  expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
}

// Tests here start server processes of their own: startServerProcess waits up to 60 s for one to be
// healthy on a busy machine (a start took over 30 s, the default test timeout, in one CI run).
const PROCESS_START = { timeout: 90_000 };

describe("Engine.IO's path", PROCESS_START, () => {
  it('is answered by Engine.IO alone: anonymous long-polling requests never kill the process', async () => {
    // With the web app served, Express (SvelteKit) also answered these, and the second
    // header write threw an uncaught exception that took the process down.
    const p = await start({ SERVE_WEB: 'true' });
    const path = '/socket.io/?EIO=4&transport=polling';
    const tries: Array<[string, RequestInit]> = [
      [path, { method: 'POST', body: '40' }],
      [path, { method: 'POST', body: '40' }],
      [`${path}&sid=nonexistent`, { method: 'POST', body: '42["whoami"]' }],
      [`${path}&sid=nonexistent`, { method: 'GET' }],
      [path, { method: 'PUT', body: 'x' }],
      ['/socket.io/', { method: 'POST', body: 'garbage' }],
    ];
    for (const [url, init] of tries) {
      const res = await fetch(p.url + url, init);
      await res.text();
      expect(res.status, `${init.method} ${url}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${init.method} ${url}`).toBeLessThan(500);
      // Engine.IO's own JSON error, not a page or an API error from Express.
      expect(res.headers.get('content-type') ?? '').toContain('application/json');
    }
    await alive(p);
  });
});

describe('origins', PROCESS_START, () => {
  let p: ServerProcess;
  let cookie: string;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    // No PUBLIC_URL: it defaults to the address the server listens on.
    p = await start({ PORT: String(port), PUBLIC_URL: '' });
    cookie = await proctorCookie(p.url);
  });

  it('refuses a websocket or long-polling handshake from a foreign origin, even with a valid cookie', async () => {
    for (const origin of ['http://evil.example', `http://localhost:${port + 1}`, 'null']) {
      expect(await handshake(p.url, { cookie, origin }, 'websocket')).toMatch(/^refused/);
      expect(await handshake(p.url, { cookie, origin }, 'polling')).toMatch(/^refused/);
    }
    await alive(p);
  });

  it('accepts the public URL and, in development, every loopback name of the served port', async () => {
    for (const origin of [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`]) {
      expect(await handshake(p.url, { cookie, origin }, 'websocket')).toBe('connected');
      expect(await handshake(p.url, { cookie, origin }, 'polling')).toBe('connected');
    }
    // A client that sends no Origin is not a browser (no victim's cookies to ride on).
    expect(await handshake(p.url, { cookie }, 'websocket')).toBe('connected');
  });

  it('lets forms post from localhost and 127.0.0.1 alike, and refuses other origins', async () => {
    const signIn = (origin: string) =>
      fetch(`${p.url}/api/auth/sign-in`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@test.example', password: 'wrong-password-1' }),
      });
    expect((await signIn(`http://localhost:${port}`)).status).toBe(401);
    expect((await signIn(`http://127.0.0.1:${port}`)).status).toBe(401);
    const foreign = await signIn('http://evil.example');
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { message: string } }).error.message).toContain('evil.example');
  });

  it('in production accepts the public URL only', async () => {
    const prodPort = await freePort();
    const publicUrl = 'https://exams.school.example';
    const prod = await start({
      NODE_ENV: 'production',
      APP_SECRET: randomBytes(32).toString('hex'),
      PUBLIC_URL: publicUrl,
      PORT: String(prodPort),
      CERTIFICATE_CONTRACT_ADDRESS: '',
      CHAIN_RPC_URL: '',
    });
    expect(await handshake(prod.url, { origin: publicUrl }, 'websocket')).toMatch(/^refused: unauthenticated/);
    expect(await handshake(prod.url, { origin: `http://127.0.0.1:${prodPort}` }, 'websocket')).toMatch(
      /^refused: (?!unauthenticated)/,
    );
  });
});

describe('failures nobody caught', PROCESS_START, () => {
  it('an unhandled rejection is logged and the process keeps serving', async () => {
    const p = await start({}, faultEntry);
    p.child.kill('SIGUSR2');
    const until = Date.now() + 10_000;
    while (!p.output().includes('unhandled promise rejection') && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    expect(p.output()).toContain('injected: a promise nobody awaited');
    await alive(p);
  });

  it('an uncaught exception is logged as fatal and the process exits with 70 for its supervisor', async () => {
    const p = await start({}, faultEntry);
    const exited = new Promise<number | null>((resolve) => p.child.once('exit', (code) => resolve(code)));
    p.child.kill('SIGHUP');
    expect(await exited).toBe(70);
    expect(p.output()).toContain('injected: an uncaught exception');
    expect(p.output()).toContain('uncaught exception: exiting');
  });
});
