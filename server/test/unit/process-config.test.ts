import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('process start with bad configuration', () => {
  // Spawns a real process: give a loaded machine time to start it (one start took over 20 s in CI
  // while main.ts still loaded the whole server before reading the configuration).
  it('stops before doing anything, naming the variable', { timeout: 90_000 }, () => {
    const res = spawnSync(process.execPath, [main], {
      env: { PATH: process.env.PATH, PORT: 'abc', REDIS_URL: 'http://nope' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.status).toBe(78);
    expect(res.stderr).toContain('PORT must be a whole number');
    expect(res.stderr).toContain('REDIS_URL must be a redis:// URL');
    expect(res.stderr).toContain('example.env');
  });
});
