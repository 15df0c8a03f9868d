import { certificateSummarySchema, walletAddressSchema } from '@exam-hall/protocol';
import { api } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:certificates');
  const [certificates, wallet] = await authed(
    url,
    Promise.all([
      api('/api/me/certificates', { fetch, schema: certificateSummarySchema.array() }),
      api('/api/me/wallet', { fetch, schema: walletAddressSchema }),
    ]),
  );
  return { certificates, wallet: wallet.walletAddress };
};
