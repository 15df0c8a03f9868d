// Keeps the exam page usable through a reload while offline: the app's own build files
// are cached when this worker installs, and the page shell of an open attempt is kept
// (ssr is off, so one shell serves every attempt). The exam itself comes from the page's
// own copy in localStorage. Nothing else is touched: API calls, sockets and every other
// page go to the network as if this worker did not exist.
import { self } from '$app/service-worker';
import { assets, immutable } from '$app/manifest';

const files = [...immutable, ...assets].map((f) => new URL(f.path, self.registration.scope).pathname);
const known = new Set(files);

// Build files are content-hashed: their list names this build's cache.
function hashOf(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
const CACHE = `eh-app-${hashOf(files.join('\n'))}`;
/** The key the attempt page shell is kept under; never requested from the network by that name. */
const SHELL_KEY = new URL('attempts/__shell__', self.registration.scope).href;
const ATTEMPT_PAGE = /^\/attempts\/[^/]+\/?$/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(files))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('eh-app-') && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

async function keepShell(response: Response): Promise<void> {
  if (!response.ok || response.type !== 'basic' || !response.headers.get('content-type')?.includes('text/html')) return;
  const cache = await caches.open(CACHE);
  await cache.put(SHELL_KEY, response);
}

/** The exam page asks for its shell to be kept: the first visit was not served through this worker. */
self.addEventListener('message', (event) => {
  const data = event.data as { type?: unknown; path?: unknown } | null;
  if (data?.type !== 'keep-attempt-shell' || typeof data.path !== 'string' || !ATTEMPT_PAGE.test(data.path)) return;
  const url = new URL(data.path, self.registration.scope);
  event.waitUntil(
    fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(keepShell)
      .catch(() => {}),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (known.has(url.pathname)) {
    event.respondWith((async () => (await caches.match(url.pathname, { cacheName: CACHE })) ?? fetch(request))());
    return;
  }

  if (request.mode === 'navigate' && ATTEMPT_PAGE.test(url.pathname)) {
    // Network first: online, the student always gets the current page.
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          event.waitUntil(keepShell(response.clone()));
          return response;
        } catch (err) {
          const shell = await caches.match(SHELL_KEY, { cacheName: CACHE });
          if (shell) return shell;
          throw err;
        }
      })(),
    );
  }
});
