// SQL of public verification: the certificate looked up by its public id, and the log of lookups.
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { certificates, verificationRequests } from '../../db/schema/index.ts';
import type { Certificate } from '../../db/schema/certificates.ts';

type Q = Db | Tx;

export async function certificateByPublicId(db: Q, publicId: string): Promise<Certificate | undefined> {
  const [cert] = await db.select().from(certificates).where(eq(certificates.publicId, publicId));
  return cert;
}

/** One lookup, its outcome and timings (the IP only as a keyed hash). */
export async function logRequest(db: Q, row: typeof verificationRequests.$inferInsert) {
  await db.insert(verificationRequests).values(row);
}
