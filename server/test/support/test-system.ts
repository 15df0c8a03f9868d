// A whole server (HTTP + sockets) on port 0 against its own cloned database and a
// Redis key prefix of its own, so test files run in parallel without sharing state.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { createSystem, type System } from '../../src/system.ts';
import { loggerOptions } from '../../src/lib/logger.ts';
import { hashPassword } from '../../src/modules/auth/auth.passwords.ts';
import { insertUser } from '../../src/modules/auth/auth.repository.ts';
import type { Role } from '@exam-hall/protocol';
import { createTestDatabase } from './test-db.ts';

export interface TestSystem {
  system: System;
  url: string;
  /** Every log line the server wrote, raw, for checks that secrets never appear. */
  logs: string[];
  createUser: (
    role: Role,
    opts?: { password?: string; status?: 'active' | 'invited' | 'suspended' },
  ) => Promise<{ id: string; email: string; password: string }>;
  close: () => Promise<void>;
}

export async function startTestSystem(env: Record<string, string> = {}): Promise<TestSystem> {
  const database = await createTestDatabase();
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '10',
    REDIS_PREFIX: prefix,
    PORT: '0',
    SERVE_WEB: 'false',
    LOG_LEVEL: 'info',
    PUBLIC_URL: 'http://localhost:3000',
    // Every test signs in from 127.0.0.1; the per-IP limit has its own test.
    SIGN_IN_MAX_PER_IP: '10000',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const log = pino(loggerOptions('info'), sink);
  const system = await createSystem(config, { log });
  const url = await system.listen(0, '127.0.0.1');
  let n = 0;
  return {
    system,
    url,
    logs,
    async createUser(role, opts = {}) {
      const password = opts.password ?? `pw-${randomBytes(8).toString('hex')}`;
      const email = `${role}-${++n}-${randomBytes(3).toString('hex')}@test.example`;
      const user = await insertUser(system.db, {
        email,
        name: `Test ${role} ${n}`,
        role,
        status: opts.status ?? 'active',
        passwordHash: await hashPassword(password),
      });
      return { id: user.id, email, password };
    },
    async close() {
      await system.close();
      await database.drop();
    },
  };
}
