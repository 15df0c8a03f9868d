// `npm start` supervises the app process: killed with SIGKILL, it is started again and
// the restart is logged, while the services the bootstrap runs stay up.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../support/test-db.ts';
import { freePort } from '../support/processes.ts';

const bootstrap = fileURLToPath(new URL('../../../scripts/bootstrap.mjs', import.meta.url));
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let npmStart: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  if (npmStart && npmStart.exitCode === null) {
    const gone = new Promise((r) => npmStart!.once('exit', r));
    npmStart.kill('SIGTERM');
    await gone;
  }
  await database?.drop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms; output:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const appPid = (parent: number) =>
  Number(
    spawnSync('pgrep', ['-P', String(parent)], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')[0],
  ) || undefined;

it('restarts the app when it dies and logs the restart', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  npmStart = spawn(process.execPath, [bootstrap, 'start'], {
    env: {
      ...process.env,
      // Services of the test run (the bootstrap starts none of its own), no demo.
      DATABASE_URL: database.url,
      REDIS_PREFIX: `sv${randomBytes(4).toString('hex')}`,
      CHAIN_RPC_URL: process.env.CHAIN_RPC_URL ?? 'http://127.0.0.1:18545',
      EXAM_HALL_LOCAL_CHAIN: '',
      CERTIFICATE_CONTRACT_ADDRESS: '',
      DEMO_DATA: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npmStart.stdout!.on('data', (d) => (output += d));
  npmStart.stderr!.on('data', (d) => (output += d));
  const healthy = () => fetch(`${url}/healthz`).then((r) => (r.ok ? true : undefined));

  await until('the app answered', healthy);
  const first = await until('the app process is found', async () => appPid(npmStart!.pid!));
  process.kill(first, 'SIGKILL');

  await until('the restart was logged', async () => (output.includes('restarting it') ? true : undefined));
  const second = await until('a new app process runs', async () => {
    const pid = appPid(npmStart!.pid!);
    return pid && pid !== first ? pid : undefined;
  });
  await until('the restarted app answered', healthy);
  expect(second).not.toBe(first);
  expect(output).toMatch(/the app process died \(SIGKILL\)/);
  expect(npmStart.exitCode).toBeNull();
});
