import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, not a Playwright download (`playwright install` cannot
 * reach its CDN here). The networking flags stop Chromium from calling home,
 * which on a closed network only produces a flood of refused connections.
 */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
