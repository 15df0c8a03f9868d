// SQL of public verification: the certificate looked up by its public id, transaction or token
// (the log of lookups is written in batches by verification.log.ts).
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { certificates } from '../../db/schema/index.ts';
import type { Certificate } from '../../db/schema/certificates.ts';

type Q = Db | Tx;

export async function certificateByPublicId(db: Q, publicId: string): Promise<Certificate | undefined> {
  const [cert] = await db.select().from(certificates).where(eq(certificates.publicId, publicId));
  return cert;
}

/** Certificates an issuing transaction minted (a batch mints several). At most `limit`.
 * Hashes are stored as ethers writes them: lower case. */
export async function certificatesByTxHash(db: Q, txHash: string, limit = 2): Promise<Certificate[]> {
  return db.select().from(certificates).where(eq(certificates.txHash, txHash.toLowerCase())).limit(limit);
}

/** Certificates with this token id (one per contract; several only across contracts). At most `limit`. */
export async function certificatesByTokenId(db: Q, tokenId: string, limit = 2): Promise<Certificate[]> {
  return db.select().from(certificates).where(eq(certificates.tokenId, tokenId)).limit(limit);
}
