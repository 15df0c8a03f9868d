import { type Verification, verificationApi } from '@exam-hall/protocol';
import { call, ApiRequestError } from '#lib/api.ts';
import type { PageLoad } from './$types';

// Public: no session needed. The server checks the chain live on every load.
export const load: PageLoad = async ({ fetch, params, url }) => {
  const via = url.searchParams.get('via') === 'qr' ? 'qr' : undefined;
  try {
    const result: Verification = await call(verificationApi.verify, {
      params: { publicId: params.publicId },
      query: { via },
      fetch,
      refreshOn401: false,
    });
    return { publicId: params.publicId, result, problem: null };
  } catch (err) {
    const problem =
      err instanceof ApiRequestError
        ? err.status === 400
          ? 'This link does not hold a certificate id. Check that you copied all of it.'
          : err.message
        : 'The verification service could not be reached. Try again in a moment.';
    return { publicId: params.publicId, result: null, problem };
  }
};
