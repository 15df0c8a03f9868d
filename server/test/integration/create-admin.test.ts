import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/test-db.ts';
import { createDb } from '../../src/db/client.ts';
import { findUserByEmail } from '../../src/modules/auth/auth.repository.ts';
import { ensureAdmin } from '../../src/modules/auth/auth.service.ts';

const cli = fileURLToPath(new URL('../../src/cli/create-admin.ts', import.meta.url));
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, DATABASE_URL: database.url },
    input,
    encoding: 'utf8',
    // A process start with argon2 takes seconds on a loaded machine (the whole suite running).
    timeout: 60_000,
  });

// Each test starts the CLI (a Node process that loads the server's modules) once or twice: on a
// machine busy with the whole suite a start has taken over 15 s.
describe('create-admin CLI', { timeout: 120_000 }, () => {
  it('creates the first admin once, with an argon2id hash', async () => {
    const first = run(['--email', 'Head@School.example', '--name', 'Head'], 'a-long-enough-password\n');
    expect(first.stderr).toBe('');
    const second = run(['--email', 'head@school.example', '--password-stdin'], 'another-long-password\n');
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('already exists');
    const { db, pool } = createDb(database.url, 1);
    const user = await findUserByEmail(db, 'head@school.example');
    await pool.end();
    expect(user).toMatchObject({ role: 'admin', status: 'active', name: 'Head' });
    expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(first.stdout).toMatch(/Password \(shown once.*\): \S{20,}/);
  });

  it('rejects a bad email or short password without touching the database', () => {
    const bad = run(['--email', 'nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--email: Enter a valid email address');
    const short = run(['--email', 'x@school.example', '--password-stdin'], 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toContain('Password must be at least 12 characters');
  });
});

describe('BOOTSTRAP_ADMIN_* on start', () => {
  it('creates the first admin on start', async () => {
    const { startTestSystem } = await import('../support/test-system.ts');
    const t = await startTestSystem({
      BOOTSTRAP_ADMIN_EMAIL: 'first@school.example',
      BOOTSTRAP_ADMIN_PASSWORD: 'first-admin-password',
    });
    const user = await findUserByEmail(t.system.db, 'first@school.example');
    await t.close();
    expect(user).toMatchObject({ role: 'admin', status: 'active' });
  });

  it('does not recreate it once any admin exists, even under another email', async () => {
    const { db, pool } = createDb(database.url, 1);
    const admin = { email: 'boot@school.example', password: 'boot-admin-password', name: 'Boot' };
    // The CLI test above already created an admin in this database.
    const result = await ensureAdmin(db, admin, { onlyIfNoAdmin: true });
    const user = await findUserByEmail(db, 'boot@school.example');
    await pool.end();
    expect(result).toEqual({ created: false, userId: null });
    expect(user).toBeUndefined();
  });
});
