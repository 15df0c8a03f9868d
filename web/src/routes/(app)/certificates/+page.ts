import { certificateSummarySchema, walletAddressSchema } from '@exam-hall/protocol';
import { api, apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:certificates');
  const [certificates, wallet] = await authed(
    url,
    Promise.all([
      apiList('/api/me/certificates', { fetch, item: certificateSummarySchema }),
      api('/api/me/wallet', { fetch, schema: walletAddressSchema }),
    ]),
  );
  return { certificates: certificates.items, problems: certificates.problems, wallet: wallet.walletAddress };
};
