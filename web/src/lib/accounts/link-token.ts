// Account links carry their token in the URL fragment (#token=...): browsers never send it to
// the server, so it stays out of logs and Referer headers. The page reads it once and takes it
// out of the address bar, so it does not linger in history or get copied along with the URL.
import { replaceState } from '$app/navigation';

export function takeLinkToken(): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) dropFragment();
  return token && token.trim() ? token.trim() : null;
}

function dropFragment(tries = 20) {
  try {
    // The page's own path, as the browser resolved it; only the fragment goes.
    // eslint-disable-next-line svelte/no-navigation-without-resolve
    replaceState(location.pathname + location.search, {});
  } catch {
    // Right after a full load the router may not be ready yet: try again shortly.
    if (tries > 0) setTimeout(() => dropFragment(tries - 1), 50);
  }
}

/** Codes the server answers for a link that does not work (each message says what to do). */
export const LINK_PROBLEMS = new Set(['link_used', 'link_expired', 'link_invalid']);
