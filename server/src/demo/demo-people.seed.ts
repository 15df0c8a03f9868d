// Demo accounts for the admin console: a few more people of every role, one invitation
// not yet accepted and one suspended account. The invitation and the suspension go
// through the users service as the demo admin (audited like any admin's); the extra
// active accounts are made like the demo sign-ins are. Loading it again changes nothing.
import { inArray } from 'drizzle-orm';
import type { Role } from '@exam-hall/protocol';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/client.ts';
import { users } from '../db/schema/index.ts';
import { findUserByEmail, insertUser } from '../modules/auth/auth.repository.ts';
import { hashPassword } from '../modules/auth/auth.passwords.ts';
import { newToken } from '../lib/crypto.ts';
import { demoCaller, demoUserService } from './demo-services.ts';

const DOMAIN = 'demo.examhall.test';
export const DEMO_PEOPLE: { role: Role; name: string; local: string }[] = [
  { role: 'admin', name: 'Alex Admin', local: 'alex.admin' },
  { role: 'teacher', name: 'Grace Hopper', local: 'grace.hopper' },
  { role: 'teacher', name: 'Alan Turing', local: 'alan.turing' },
  { role: 'proctor', name: 'Pat Proctor', local: 'pat.proctor' },
  { role: 'proctor', name: 'Quinn Watcher', local: 'quinn.watcher' },
  { role: 'student', name: 'Lin Student', local: 'lin.student' },
  { role: 'student', name: 'Omar Student', local: 'omar.student' },
  { role: 'student', name: 'Rosa Student', local: 'rosa.student' },
];
export const DEMO_INVITED = { role: 'teacher' as const, name: 'Ines Invited', email: `ines.invited@${DOMAIN}` };
export const DEMO_SUSPENDED = { role: 'student' as const, name: 'Sid Suspended', email: `sid.suspended@${DOMAIN}` };

export async function seedDemoPeople(db: Db, config: Config, adminEmail: string): Promise<{ created: number }> {
  const emails = [...DEMO_PEOPLE.map((p) => `${p.local}@${DOMAIN}`), DEMO_INVITED.email, DEMO_SUSPENDED.email];
  const existing = new Set(
    (await db.select({ email: users.email }).from(users).where(inArray(users.email, emails))).map((u) => u.email),
  );
  let created = 0;
  // Nobody signs in as these: a random password nobody knows (an admin can issue a reset link).
  const passwordHash = await hashPassword(newToken());
  for (const p of [...DEMO_PEOPLE.map((p) => ({ ...p, email: `${p.local}@${DOMAIN}` })), DEMO_SUSPENDED]) {
    if (existing.has(p.email)) continue;
    await insertUser(db, { email: p.email, name: p.name, role: p.role, status: 'active', passwordHash });
    created++;
  }
  const service = demoUserService(db, config);
  const admin = await demoCaller(db, adminEmail);
  if (!existing.has(DEMO_INVITED.email)) {
    await service.create(admin, DEMO_INVITED);
    created++;
  }
  if (!existing.has(DEMO_SUSPENDED.email)) {
    const sid = await findUserByEmail(db, DEMO_SUSPENDED.email);
    await service.suspend(admin, sid!.id, { reason: 'Demo: left the school' });
  }
  return { created };
}
