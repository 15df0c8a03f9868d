import { existsSync } from 'node:fs';
import { aptInstall } from './util.mjs';

/** Browser tests drive Debian's Chromium; playwright cannot download its own here. */
export async function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${path} does not exist`);
  aptInstall(['chromium'], 'browser tests need Chromium');
}
