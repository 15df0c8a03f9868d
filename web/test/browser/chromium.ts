import { chromium, type Browser, type BrowserServer, type Download } from 'playwright-core';

/**
 * Debian's Chromium, not a Playwright download (`playwright install` cannot
 * reach its CDN here). The networking flags stop Chromium from calling home,
 * which on a closed network only produces a flood of refused connections.
 */
const OPTIONS = {
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
  ],
};

/**
 * One Chromium for the browser test files of a worker (they share one module graph), started
 * on first use and stopped with the worker. A file connects to it: its `close()` closes the
 * contexts it made and disconnects, and the next file connects in milliseconds instead of
 * starting a browser (about 1.4 s on a quiet machine, several times that in CI).
 */
let server: Promise<BrowserServer> | undefined;

/**
 * A browser of the test file's own. With `extraArgs` (a fake camera, say), a Chromium of its
 * own; without, a connection to the worker's shared Chromium.
 */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (extraArgs.length) return chromium.launch({ ...OPTIONS, args: [...OPTIONS.args, ...extraArgs] });
  server ??= chromium.launchServer(OPTIONS).catch((err: unknown) => {
    server = undefined;
    throw err;
  });
  let running = await server;
  const chrome = running.process();
  if (chrome.exitCode !== null || chrome.signalCode !== null) {
    // The shared Chromium died (a crash in an earlier file): start it again.
    server = chromium.launchServer(OPTIONS);
    running = await server;
  }
  return chromium.connect(running.wsEndpoint());
}

/** A download's bytes. (`download.path()` throws on a connected browser such as the shared one; the stream does not.) */
export async function downloadedBytes(download: Download): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
