// Project-local PostgreSQL and Redis: data under .data/, loopback only, on
// non-default ports so they never collide with a system install. Skipped when
// DATABASE_URL / REDIS_URL point elsewhere.
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { aptInstall, fail, isRoot, log, run, which } from './util.mjs';
import { ensureChain } from './chain.mjs';

export const PG_PORT = Number(process.env.EXAM_HALL_PG_PORT ?? 15432);
export const REDIS_PORT = Number(process.env.EXAM_HALL_REDIS_PORT ?? 63799);
const DB_NAME = 'exam_hall';

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port, what, ms = 20000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  fail(`${what} did not start listening on 127.0.0.1:${port} within ${ms / 1000} s`);
}

function postgresBin() {
  const base = '/usr/lib/postgresql';
  const find = () => {
    if (!existsSync(base)) return null;
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    return versions.length ? join(base, versions[0], 'bin') : null;
  };
  let bin = find();
  if (!bin) {
    aptInstall(['postgresql'], 'the embedded database needs PostgreSQL');
    bin = find();
  }
  if (!bin) fail('PostgreSQL was installed but no initdb was found under /usr/lib/postgresql');
  return bin;
}

/** initdb refuses to run as root, so as root the cluster belongs to the postgres user. */
function asDbOwner(cmd, args, options = {}) {
  // runuser lives in /usr/sbin, which is not always on PATH.
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((p) => existsSync(p)) ?? 'runuser';
  return isRoot() ? run(runuser, ['-u', 'postgres', '--', cmd, ...args], options) : run(cmd, args, options);
}

async function ensurePostgres(root) {
  const dir = join(root, '.data', 'postgres');
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (await portOpen(PG_PORT)) return { started: false };
  const bin = postgresBin();
  if (!existsSync(join(data, 'PG_VERSION'))) {
    log(`creating a PostgreSQL cluster in ${data}`);
    mkdirSync(dir, { recursive: true });
    if (isRoot()) chownSync(dir, ...ownerIds());
    asDbOwner(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale'], {
      stdio: 'ignore',
    });
  }
  log(`starting PostgreSQL on 127.0.0.1:${PG_PORT}`);
  const opts = `-p ${PG_PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300`;
  asDbOwner(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', opts, '-w', 'start'], { stdio: 'ignore' });
  await waitForPort(PG_PORT, 'PostgreSQL');
  return {
    started: true,
    stop: () =>
      asDbOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', 'stop'], { stdio: 'ignore', allowFail: true }),
  };
}

function ownerIds() {
  const uid = Number(run('id', ['-u', 'postgres']).stdout.trim());
  const gid = Number(run('id', ['-g', 'postgres']).stdout.trim());
  return [uid, gid];
}

function ensureDatabase(name) {
  const psql = which('psql') ?? join(postgresBin(), 'psql');
  const args = ['-h', '127.0.0.1', '-p', String(PG_PORT), '-U', 'postgres', '-d', 'postgres', '-tAc'];
  const exists = run(psql, [...args, `select 1 from pg_database where datname = '${name}'`]).stdout.trim();
  if (exists !== '1') {
    log(`creating database ${name}`);
    run(psql, [...args, `create database ${name}`]);
  }
}

async function ensureRedis(root) {
  const dir = join(root, '.data', 'redis');
  if (await portOpen(REDIS_PORT)) {
    // Ours from an earlier run (maybe started before it was persistent): make it so.
    const cli = which('redis-cli');
    if (cli && existsSync(join(dir, 'redis.pid')))
      run(cli, ['-p', String(REDIS_PORT), 'config', 'set', 'appendonly', 'yes'], { stdio: 'ignore', allowFail: true });
    return { started: false };
  }
  let server = which('redis-server');
  if (!server) {
    aptInstall(['redis-server'], 'the embedded job queue and rate limits need Redis');
    server = which('redis-server');
  }
  if (!server) fail('redis-server was installed but is not on PATH');
  log(`starting Redis on 127.0.0.1:${REDIS_PORT}`);
  return startRedisServer({ server, dir, port: REDIS_PORT });
}

/**
 * A Redis that keeps its data across restarts: append-only file, fsync every second
 * (the default trade-off: a crash of the machine loses at most a second of queued
 * jobs, and the reconcilers re-derive those from PostgreSQL). Queued grading, expiry,
 * mint and sync jobs survive a Redis restart.
 */
export async function startRedisServer({ server = which('redis-server'), dir, port }) {
  mkdirSync(dir, { recursive: true });
  run(server, [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--daemonize',
    'yes',
    '--dir',
    dir,
    '--pidfile',
    join(dir, 'redis.pid'),
    '--logfile',
    join(dir, 'redis.log'),
  ]);
  await waitForPort(port, 'Redis');
  const cli = which('redis-cli');
  return {
    started: true,
    // SHUTDOWN flushes the append-only file before Redis exits.
    stop: () => cli && run(cli, ['-p', String(port), 'shutdown'], { stdio: 'ignore', allowFail: true }),
  };
}

export async function ensureServices(root) {
  const env = {};
  const stops = [];
  if (!process.env.DATABASE_URL) {
    const pg = await ensurePostgres(root);
    ensureDatabase(DB_NAME);
    if (pg.started) stops.push(pg.stop);
    env.DATABASE_URL = `postgres://postgres@127.0.0.1:${PG_PORT}/${DB_NAME}`;
  }
  if (!process.env.REDIS_URL) {
    const redis = await ensureRedis(root);
    if (redis.started) stops.push(redis.stop);
    env.REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}`;
  }
  if (!process.env.CHAIN_RPC_URL) {
    const chain = await ensureChain(root);
    if (chain.started) stops.push(chain.stop);
    env.CHAIN_RPC_URL = chain.url;
    // Tells start/test to deploy the certificate contract on this node.
    env.EXAM_HALL_LOCAL_CHAIN = '1';
  }
  return { env, stops };
}

export async function stopServices(services) {
  for (const stop of services.stops.reverse()) stop();
}
