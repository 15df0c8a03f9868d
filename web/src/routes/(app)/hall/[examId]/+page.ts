import { error } from '@sveltejs/kit';
import type { PageLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const load: PageLoad = ({ params }) => {
  // Everything else comes over the socket; a malformed id would only earn a validation error there.
  if (!UUID.test(params.examId)) error(404, 'There is no exam at this address. Check the link you were given.');
  return { examId: params.examId.toLowerCase() };
};
