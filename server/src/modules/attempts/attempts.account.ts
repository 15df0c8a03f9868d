// A suspended account takes no exam: not with an access code, not with a resume code,
// and suspension withdraws the attempt cookies it already holds (users.service).
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { users } from '../../db/schema/index.ts';
import { forbidden } from '../../http/errors.ts';

export async function assertMayTakeExams(tx: Tx, userId: string): Promise<void> {
  const [user] = await tx.select({ status: users.status }).from(users).where(eq(users.id, userId));
  assertStatusMayTakeExams(user?.status);
}

/** The same rule for an account status read along with something else (the code claim). */
export function assertStatusMayTakeExams(status: string | null | undefined): void {
  if (status === 'suspended') {
    throw forbidden('This account is suspended, so it cannot take exams. Ask your school’s administrator.');
  }
}
