import { defineConfig } from 'vitest/config';
import { BrowserShuffleSequencer } from './web/test/browser/sequencer.ts';

/** Unit test files that replace a module (vi.mock): each needs a module graph of its own. */
const MOCKING_UNIT_FILES = ['server/test/unit/access-codes.test.ts'];

/**
 * A browser file run at the end of the server lane instead of in the browser lane (scripts/lib/test-lanes.ts),
 * so the two lanes end together: with its files sharing one module graph and one Chromium, the browser
 * lane took 848 s in CI and the server lane, with accounts and verify-page at its end too, 1,061 s.
 * It is the longest and needs no timing of its own (no camera, no waits for the clock).
 */
const LATE_BROWSER_FILES = ['web/test/browser/page-walk.browser.test.ts'];
const browserProject = {
  include: ['web/test/browser/**/*.browser.test.ts'],
  // One module graph and one Chromium (chromium.ts) for the files, as integration: importing again
  // and starting a browser were about 3 s of the 7.5 s between two files in CI. (An earlier try
  // ran denser beside the server lane and its process-start bounds failed twice; those tests now
  // allow 90 s.) No browser file replaces a module; each closes what it starts.
  isolate: false,
  globalSetup: ['web/test/browser/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  fileParallelism: false,
};

// One Vitest run, several projects; scripts/test.ts totals them into one line.
export default defineConfig({
  test: {
    // Browser test files in a seeded random order (each seeds its own data); other projects keep Vitest's.
    sequence: { sequencer: BrowserShuffleSequencer },
    // One file at a time (Vitest's default on 2 cores). Two integration files at once saved
    // about a minute but starved the dependency-outage tests' timers (a 30 s wait missed).
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            '{server,protocol}/test/unit/**/*.test.ts',
            'web/test/unit/**/*.test.ts',
            'scripts/test/**/*.test.ts',
          ],
          // One module graph for the files (importing again was 64 % of this project's time, about
          // 2 s per file); files that replace a module with vi.mock go to unit-isolated.
          exclude: [...MOCKING_UNIT_FILES, '**/node_modules/**'],
          isolate: false,
        },
      },
      {
        test: {
          name: 'unit-isolated',
          include: MOCKING_UNIT_FILES,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['server/test/integration/**/*.test.ts'],
          // The files share one module graph instead of importing the whole server again each
          // (import was 39 % of this lane's time in CI): each file still builds its own system,
          // database and Redis prefix, and none mocks modules.
          isolate: false,
          globalSetup: ['server/test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Services called directly (no HTTP, no sockets) against a real PostgreSQL database of each file's own.
        test: {
          name: 'service',
          include: ['server/test/service/**/*.test.ts'],
          // As integration: one module graph (importing the server again was about 9.5 s per file
          // in CI); each file builds its own world and restores what it patches.
          isolate: false,
          globalSetup: ['server/test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: { ...browserProject, name: 'browser', exclude: [...LATE_BROWSER_FILES, '**/node_modules/**'] },
      },
      {
        // A system of its own (its global setup), started with the lane; its files run after the
        // lane's integration, service and unit files (groupOrder 1; Vitest runs isolated one-worker
        // projects such as contracts last).
        test: { ...browserProject, name: 'browser-late', include: LATE_BROWSER_FILES, sequence: { groupOrder: 1 } },
      },
      {
        test: {
          name: 'contracts',
          include: ['contracts/test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file runs Hardhat's build into contracts/artifacts; parallel cold builds would race on those files.
          fileParallelism: false,
        },
      },
    ],
  },
});
