// Demo data for `npm start`: one account per role, with passwords printed on start.
// Idempotent: existing accounts are left as they are.
import type { Role } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { findUserByEmail, insertUser } from '../modules/auth/auth.repository.ts';
import { hashPassword } from '../modules/auth/auth.passwords.ts';

export interface DemoAccount {
  role: Role;
  email: string;
  password: string;
  name: string;
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { role: 'admin', email: 'admin@demo.examhall.test', password: 'demo-admin-password', name: 'Ada Admin' },
  { role: 'teacher', email: 'teacher@demo.examhall.test', password: 'demo-teacher-password', name: 'Tomas Teacher' },
  { role: 'proctor', email: 'proctor@demo.examhall.test', password: 'demo-proctor-password', name: 'Priya Proctor' },
  { role: 'student', email: 'student@demo.examhall.test', password: 'demo-student-password', name: 'Sam Student' },
];

export async function seedDemo(db: Db): Promise<{ accounts: DemoAccount[]; created: number }> {
  let created = 0;
  for (const a of DEMO_ACCOUNTS) {
    if (await findUserByEmail(db, a.email)) continue;
    await insertUser(db, {
      email: a.email,
      name: a.name,
      role: a.role,
      status: 'active',
      passwordHash: await hashPassword(a.password),
    });
    created++;
  }
  return { accounts: DEMO_ACCOUNTS, created };
}
