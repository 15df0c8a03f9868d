// Once per test run: a template database with every migration applied. Each test
// file then clones it (CREATE DATABASE ... TEMPLATE), which takes ~100 ms and gives
// files their own real PostgreSQL database to run in parallel.
//
// Every database of a run carries the run's own prefix (`eh_t<run>_`), so two runs on
// one machine never touch each other's databases. Leftovers of killed runs are
// dropped only when their owner process is gone (the prefix holds its pid).
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createDb } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { loadConfig } from '../../src/config/config.ts';

export function serverUrl(databaseUrl: string, database: string): string {
  const u = new URL(databaseUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `eh_t<pid>x<random>_`: the pid says whether the run that made it is still alive. */
export function runPrefix(): string {
  return `eh_t${process.pid}x${randomBytes(3).toString('hex')}_`;
}

export default async function setup(project: TestProject) {
  const base = loadConfig().database.url;
  const prefix = runPrefix();
  const templateDb = `${prefix}template`;
  const admin = new pg.Client({ connectionString: serverUrl(base, 'postgres') });
  await admin.connect();
  // Drop leftovers of runs that were killed before their teardown (their process is gone).
  const stale = await admin.query(`select datname from pg_database where datname ~ '^eh_t[0-9]+x[0-9a-f]+_'`);
  for (const { datname } of stale.rows as { datname: string }[]) {
    const pid = Number(/^eh_t(\d+)x/.exec(datname)![1]);
    if (!alive(pid)) await admin.query(`drop database if exists "${datname}" with (force)`);
  }
  await admin.query(`create database "${templateDb}"`);
  const { db, pool } = createDb(serverUrl(base, templateDb), 1);
  await runMigrations(db);
  await pool.end();
  project.provide('databaseUrl', base);
  project.provide('templateDb', templateDb);
  project.provide('dbPrefix', prefix);
  return async () => {
    await admin.query(`drop database if exists "${templateDb}" with (force)`);
    await admin.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDb: string;
    dbPrefix: string;
  }
}
