import { certificateSummarySchema, certificatesApi } from '@exam-hall/protocol';
import { listFrom, call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:certificates');
  const [certificates, wallet] = await authed(
    url,
    Promise.all([
      listFrom(certificatesApi.mine, { fetch, item: certificateSummarySchema }),
      call(certificatesApi.wallet, { fetch }),
    ]),
  );
  return { certificates: certificates.items, problems: certificates.problems, wallet: wallet.walletAddress };
};
