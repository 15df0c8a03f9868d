// Creates an admin account: `npm run create-admin -- --email you@school.example --name "Your Name"`.
// Without --password-stdin a strong password is generated and printed once.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { text } from 'node:stream/consumers';
import { z } from 'zod';
import { emailSchema, passwordSchema } from '@exam-hall/protocol';
import { configOrExit } from '../main.ts';
import { createDb } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { ensureAdmin } from '../modules/auth/auth.service.ts';

const usage = 'usage: npm run create-admin -- --email EMAIL [--name NAME] [--password-stdin]';

const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
});
const args = z
  .object({ email: emailSchema, name: z.string().trim().min(1).max(100).default('Administrator') })
  .safeParse({ email: values.email, name: values.name });
if (!args.success) {
  console.error(`${args.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n')}\n${usage}`);
  process.exit(2);
}
let password = randomBytes(18).toString('base64url');
if (values['password-stdin']) {
  const given = passwordSchema.safeParse((await text(process.stdin)).replace(/\r?\n$/, ''));
  if (!given.success) {
    console.error(`password: ${given.error.issues[0]?.message}`);
    process.exit(2);
  }
  password = given.data;
}

const config = configOrExit();
const { db, pool } = createDb(config.database.url, 1);
await runMigrations(db);
const result = await ensureAdmin(db, { email: args.data.email, name: args.data.name, password });
await pool.end();
if (!result.created) {
  console.error(`An account for ${args.data.email} already exists; nothing changed.`);
  process.exit(1);
}
console.log(`Created admin ${args.data.email}.`);
if (!values['password-stdin']) console.log(`Password (shown once, change it after signing in): ${password}`);
