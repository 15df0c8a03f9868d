// Starts the whole system (API, sockets, the built web app) on a free port against
// a database of its own, for the browser tests, and stops it afterwards.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createLogger } from '../../../server/src/lib/logger.ts';
import { createSystem } from '../../../server/src/system.ts';
import { seedDemo, DEMO_ACCOUNTS } from '../../../server/src/demo/demo.seed.ts';
import { deployTestContract } from '../../../server/test/support/chain.ts';

export default async function setup(project: TestProject) {
  const base = loadConfig().database.url;
  const name = `eh_browser_${randomBytes(5).toString('hex')}`;
  const adminUrl = new URL(base);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const dbUrl = new URL(base);
  dbUrl.pathname = `/${name}`;

  // The public URL must be the exact origin the browser uses (Origin checks, CORS).
  const port = await freePort();
  // A certificate contract of this run's own on the test Hardhat node.
  const chain = await deployTestContract();
  const redisPrefix = `b${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    REDIS_PREFIX: redisPrefix,
    ...chain.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    SERVE_WEB: 'true',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  });
  const system = await createSystem(config, { log: createLogger('error') });
  const url = await system.listen();
  await seedDemo(system.db);
  const account = (role: string) => DEMO_ACCOUNTS.find((a) => a.role === role)!;
  project.provide('baseUrl', url);
  // Tests that must see what was committed (autosave) read this database directly.
  project.provide('databaseUrl', dbUrl.toString());
  project.provide('adminEmail', account('admin').email);
  project.provide('adminPassword', account('admin').password);
  project.provide('teacherEmail', account('teacher').email);
  project.provide('teacherPassword', account('teacher').password);
  project.provide('studentEmail', account('student').email);
  project.provide('studentPassword', account('student').password);
  // For tests that run the workers against this system (certificates).
  project.provide('redisPrefix', redisPrefix);
  project.provide('chainEnv', chain.env);

  return async () => {
    await system.close();
    chain.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
