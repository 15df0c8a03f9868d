// Account rules through the services: an administrator's suspension ends every session,
// withdraws unused account links and attempt cookies; account links work once, stop
// working when a newer one is issued, and expire; the last administrator stays one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { passwordResetBodySchema, suspendSchema } from '@exam-hall/protocol';
import { accountTokens, sessions, users } from '../../src/db/schema/index.ts';
import { createAccountService } from '../../src/modules/accounts/accounts.service.ts';
import { ctx, startServiceWorld, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let admin: Person;
let accounts: ReturnType<typeof createAccountService>;

beforeAll(async () => {
  // No mailer: links are handed back to be shown once, so the test can use them.
  w = await startServiceWorld({ SMTP_URL: '' });
  admin = await w.person('admin');
  accounts = createAccountService({
    db: w.db,
    redis: w.system.redis,
    config: w.system.config,
    auth: w.system.auth,
    links: w.services.accountLinks,
  });
});
afterAll(() => w?.close());

/** A reset link for `person`, issued by the administrator; answers its token. */
async function resetToken(person: Person): Promise<string> {
  const issued = await w.services.users.resetLink(admin.caller, person.id);
  if (issued.link.delivery !== 'shown') throw new Error('expected a link to show');
  return new URL(issued.link.url).hash.replace('#token=', '');
}

const reset = (token: string) =>
  accounts.resetPassword(passwordResetBodySchema.parse({ token, password: 'a new long password 42' }), ctx);

describe('account links', () => {
  it('a reset link works once; the second use is refused as used', async () => {
    const student = await w.person('student');
    const token = await resetToken(student);
    await reset(token);
    const [row] = await w.db.select().from(accountTokens).where(eq(accountTokens.userId, student.id));
    expect(row!.usedAt).not.toBeNull();
    // Resetting a password ends the sessions that used the old one.
    const [session] = await w.db.select().from(sessions).where(eq(sessions.id, student.sessionId));
    expect(session!.revokedAt).not.toBeNull();
    await expect(reset(token)).rejects.toMatchObject({ status: 410, code: 'link_used' });
  });

  it('a newer link makes the older one stop working', async () => {
    const student = await w.person('student');
    const older = await resetToken(student);
    const newer = await resetToken(student);
    await expect(reset(older)).rejects.toMatchObject({ status: 410, code: 'link_used' });
    await reset(newer);
  });

  it('an expired link is refused as expired and stays unused', async () => {
    const student = await w.person('student');
    const token = await resetToken(student);
    await w.db
      .update(accountTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(accountTokens.userId, student.id));
    await expect(reset(token)).rejects.toMatchObject({ status: 410, code: 'link_expired' });
    const [row] = await w.db.select().from(accountTokens).where(eq(accountTokens.userId, student.id));
    expect(row!.usedAt).toBeNull();
  });
});

describe('suspension', () => {
  it('ends every session and withdraws unused links at once', async () => {
    const teacher = await w.person('teacher');
    const second = await w.db.transaction((tx) => w.system.auth.startSession(tx, account(teacher), ctx));
    const token = await resetToken(teacher);
    const suspended = await w.services.users.suspend(admin.caller, teacher.id, suspendSchema.parse({ reason: 'test' }));
    expect(suspended.status).toBe('suspended');
    const rows = await w.db.select().from(sessions).where(eq(sessions.userId, teacher.id));
    expect(rows).toHaveLength(2);
    for (const s of rows) expect(s).toMatchObject({ revokedReason: 'suspended' });
    expect(await w.system.auth.authenticate(second.accessToken)).toMatchObject({ problem: 'session_revoked' });
    const live = await w.db
      .select()
      .from(accountTokens)
      .where(and(eq(accountTokens.userId, teacher.id), eq(accountTokens.purpose, 'password_reset')));
    expect(live[0]!.revokedAt).not.toBeNull();
    await expect(reset(token)).rejects.toMatchObject({ status: 410 });
    // A suspended account gets no new link and cannot be suspended twice.
    await expect(w.services.users.resetLink(admin.caller, teacher.id)).rejects.toMatchObject({ status: 409 });
    await expect(w.services.users.suspend(admin.caller, teacher.id, {})).rejects.toMatchObject({ status: 409 });
    const [user] = await w.db.select().from(users).where(eq(users.id, teacher.id));
    expect(user!.status).toBe('suspended');
  });

  it('an administrator cannot suspend themselves', async () => {
    await expect(w.services.users.suspend(admin.caller, admin.id, {})).rejects.toMatchObject({ status: 409 });
    const [row] = await w.db.select().from(users).where(eq(users.id, admin.id));
    expect(row!.status).toBe('active');
    const [session] = await w.db.select().from(sessions).where(eq(sessions.id, admin.sessionId));
    expect(session!.revokedAt).toBeNull();
  });
});

/** The account row a new session is started for. */
function account(p: Person) {
  return { id: p.id, email: p.email, name: p.actor.name, role: p.actor.role };
}
