// Serves the SvelteKit build (adapter-node's handler) on the same origin as the API
// and sockets, so cookies, CSP and CORS stay simple.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RequestHandler } from 'express';

export const DEFAULT_WEB_BUILD = fileURLToPath(new URL('../../../web/build', import.meta.url));

export async function loadWebHandler(dir: string = DEFAULT_WEB_BUILD): Promise<RequestHandler | undefined> {
  const file = join(dir, 'handler.js');
  if (!existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as { handler: RequestHandler };
  return mod.handler;
}
