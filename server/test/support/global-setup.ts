// Once per test run: a template database with every migration applied. Each test
// file then clones it (CREATE DATABASE ... TEMPLATE), which takes ~100 ms and gives
// files their own real PostgreSQL database to run in parallel.
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createDb } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { loadConfig } from '../../src/config/config.ts';

export const TEMPLATE_DB = 'eh_test_template';

export function serverUrl(databaseUrl: string, database: string): string {
  const u = new URL(databaseUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const base = loadConfig().database.url;
  const admin = new pg.Client({ connectionString: serverUrl(base, 'postgres') });
  await admin.connect();
  // Drop leftovers of runs that were killed before their teardown.
  const stale = await admin.query(`select datname from pg_database where datname like 'eh_test_%'`);
  for (const row of stale.rows as { datname: string }[]) {
    await admin.query(`drop database if exists "${row.datname}" with (force)`);
  }
  await admin.query(`create database ${TEMPLATE_DB}`);
  const { db, pool } = createDb(serverUrl(base, TEMPLATE_DB), 1);
  await runMigrations(db);
  await pool.end();
  await admin.end();
  project.provide('databaseUrl', base);
  project.provide('templateDb', TEMPLATE_DB);
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    templateDb: string;
  }
}
