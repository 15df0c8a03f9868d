// The published Bitstring Status Lists (revocation): list n covers the certificates whose
// status_list_index / 131072 is n, one bit each, set when the certificate is revoked. A list
// is signed like a credential; signing canonicalises the whole document, so the signed list
// is kept in memory and rebuilt only when its revoked set or the signing key changes (the
// revoked set is read on every request: one indexed query, so a revocation shows at once,
// from any process).
import { createHash } from 'node:crypto';
import * as vc from '@digitalbazaar/vc';
import { createCredential, createList } from '@digitalbazaar/vc-bitstring-status-list';
import { STATUS_LIST_SIZE } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { statusListUrlOf } from './credentials.build.ts';
import type { DocumentLoader } from './credentials.contexts.ts';
import type { Issuer } from './credentials.issuer.ts';
import * as repo from './credentials.repository.ts';

type Signed = Record<string, unknown>;

export function createStatusLists(deps: { db: Db; issuer: Issuer; publicUrl: string }) {
  const { db, issuer } = deps;
  // At most one entry per list; a school has a handful of lists (131,072 certificates each).
  const cache = new Map<number, { version: string; doc: Promise<Signed> }>();

  async function build(list: number, bits: number[], loader: DocumentLoader): Promise<Signed> {
    const bitstring = await createList({ length: STATUS_LIST_SIZE });
    for (const bit of bits) bitstring.setStatus(bit, true);
    const credential = await createCredential({
      id: statusListUrlOf(deps.publicUrl, list),
      list: bitstring,
      statusPurpose: 'revocation',
    });
    const { suite } = await issuer.signingSuite();
    return vc.issue({
      credential: { ...credential, issuer: issuer.issuerUrl, validFrom: new Date().toISOString() },
      suite,
      documentLoader: loader,
    });
  }

  return {
    /** The signed list, or null when no certificate has a position in it. */
    async get(list: number, loader: DocumentLoader): Promise<Signed | null> {
      const bits = await repo.revokedBits(db, list);
      if (bits.length === 0 && !(await repo.listExists(db, list))) return null;
      const { key } = await issuer.signingSuite();
      const version = createHash('sha256')
        .update(`${key.kid}:${bits.join(',')}`)
        .digest('base64url');
      const hit = cache.get(list);
      if (hit?.version === version) return hit.doc;
      const doc = build(list, bits, loader);
      cache.set(list, { version, doc });
      // A failed build (database or key trouble) must not stay cached.
      doc.catch(() => {
        if (cache.get(list)?.doc === doc) cache.delete(list);
      });
      return doc;
    },
  };
}
export type StatusLists = ReturnType<typeof createStatusLists>;
