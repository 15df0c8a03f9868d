import { optionalUser } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch }) => ({ user: await optionalUser(fetch) });
