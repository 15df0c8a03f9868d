// Private PostgreSQL and Redis for tests that stop or restart a dependency: each on a
// free loopback port, owned by the test file, never the shared ones (15432/63799).
// Everything started here is stopped by `stopOwnServices()` (call it in afterAll), and
// killed on process exit if a test run dies first. The approach follows
// scripts/bootstrap/services.mjs: initdb/pg_ctl as the postgres user when root.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes.ts';

const exec = promisify(execFile);
const isRoot = process.getuid?.() === 0;

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// Synchronous, for the exit hook: whatever is still running when the process goes.
const onExit = new Set<() => void>();
process.once('exit', () => {
  for (const kill of onExit) {
    try {
      kill();
    } catch {
      /* already gone */
    }
  }
});
const running = new Set<{ close: () => Promise<void> }>();

/** Stops every service this process started (idempotent). */
export async function stopOwnServices(): Promise<void> {
  await Promise.all([...running].map((s) => s.close().catch(() => {})));
}

export interface OwnRedis {
  port: number;
  url: string;
  /** SIGTERM (no persistence configured, so nothing is saved) or SIGKILL; resolves when it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port; resolves when it accepts connections. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const kill = () => child?.exitCode === null && child.kill('SIGKILL');

  const start = async () => {
    if (child && child.exitCode === null) return;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const c = spawn('redis-server', [...args, '--daemonize', 'no'], { stdio: 'ignore' });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    await waitFor(`redis-server did not listen on ${port}`, async () => {
      if (c.exitCode !== null) throw new Error(`redis-server exited with ${c.exitCode}`);
      return portOpen(port);
    });
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child?.exitCode === null) child.kill(signal);
    await exited;
  };
  const self: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    close: async () => {
      running.delete(self);
      onExit.delete(kill);
      await stop('SIGKILL');
    },
  };
  running.add(self);
  onExit.add(kill);
  await start();
  return self;
}

export interface OwnPostgres {
  port: number;
  /** The cluster's `postgres` database. */
  url: string;
  /** pg_ctl stop: `fast` rolls back open transactions and cuts connections, `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port; resolves when it accepts connections. */
  start(): Promise<void>;
  close(): Promise<void>;
}

function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error('no PostgreSQL under /usr/lib/postgresql (run the bootstrap)');
  return join(base, versions[0]!, 'bin');
}

const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((p) => existsSync(p)) ?? 'runuser';
/** initdb refuses to run as root: as root the cluster belongs to the postgres user. */
const asOwner = (cmd: string, args: string[]): [string, string[]] =>
  isRoot ? [runuser, ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

/** A fresh cluster in a temporary folder (initdb + start, about a second). */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = postgresBin();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'eh-own-pg-'));
  const data = join(dir, 'data');
  if (isRoot) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, id('-u'), id('-g'));
  }
  const pgCtl = (args: string[]) => exec(...asOwner(join(bin, 'pg_ctl'), ['-D', data, ...args]));
  // fsync off: the cluster is thrown away; durability across an OS crash is not what is tested.
  const opts = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c max_connections=100`;
  let up = false;

  await exec(
    ...asOwner(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '-N']),
  );
  const start = async () => {
    await pgCtl(['-l', join(dir, 'server.log'), '-o', opts, '-w', 'start']);
    up = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await pgCtl(['-m', mode, '-w', 'stop']);
    up = false;
  };
  const kill = () => {
    if (up) execFileSync(...asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']), { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  const self: OwnPostgres = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    close: async () => {
      running.delete(self);
      onExit.delete(kill);
      if (up) await stop('immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(self);
  onExit.add(kill);
  await start();
  return self;
}
