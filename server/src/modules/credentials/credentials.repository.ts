// SQL of credentials: the revoked positions of one status list, whether a list exists, and
// the certificate a status list position names.
import { and, asc, eq, gte, lt } from 'drizzle-orm';
import { STATUS_LIST_SIZE } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { certificates } from '../../db/schema/index.ts';
import type { Certificate } from '../../db/schema/certificates.ts';

type Q = Db | Tx;

const inList = (list: number) =>
  and(
    gte(certificates.statusListIndex, list * STATUS_LIST_SIZE),
    lt(certificates.statusListIndex, (list + 1) * STATUS_LIST_SIZE),
  );

/** Revoked certificates' bits in this list, ascending (the list's whole content). */
export async function revokedBits(db: Q, list: number): Promise<number[]> {
  const rows = await db
    .select({ index: certificates.statusListIndex })
    .from(certificates)
    .where(and(eq(certificates.status, 'revoked'), inList(list)))
    .orderBy(asc(certificates.statusListIndex));
  return rows.map((r) => r.index - list * STATUS_LIST_SIZE);
}

/** Whether any certificate was given a position in this list (others answer 404). */
export async function listExists(db: Q, list: number): Promise<boolean> {
  const [row] = await db.select({ id: certificates.id }).from(certificates).where(inList(list)).limit(1);
  return !!row;
}

export async function certificateAtStatusIndex(db: Q, index: number): Promise<Certificate | undefined> {
  const [cert] = await db.select().from(certificates).where(eq(certificates.statusListIndex, index));
  return cert;
}
