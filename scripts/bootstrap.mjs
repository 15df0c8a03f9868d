#!/usr/bin/env node
// Entry point of `npm start` and `npm test`. Plain JavaScript on purpose: it must
// run on whatever Node the machine has (Debian's may be too old), fetch the pinned
// Node when needed, and re-run itself under it before anything else happens.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode } from './bootstrap/node.mjs';
import { ensureDependencies } from './bootstrap/deps.mjs';
import { ensureServices, stopServices } from './bootstrap/services.mjs';
import { ensureChromium } from './bootstrap/chromium.mjs';
import { ensureFaces } from './bootstrap/faces.mjs';
import { log } from './bootstrap/util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tasks = {
  start: { script: 'scripts/start.ts', browser: false },
  test: { script: 'scripts/test.ts', browser: true },
  'create-admin': { script: 'server/src/cli/create-admin.ts', browser: false },
  // Starts PostgreSQL and Redis and leaves them running, for working on the code:
  // eval "$(node scripts/bootstrap.mjs services)"
  services: { script: null, browser: false },
};

const [taskName, ...rest] = process.argv.slice(2);
const task = tasks[taskName ?? ''];
if (!task) {
  console.error(`usage: node scripts/bootstrap.mjs <${Object.keys(tasks).join('|')}> [args]`);
  process.exit(2);
}

await ensureNode(root); // re-executes this script under the pinned Node when needed
const started = Date.now();
await ensureDependencies(root);
const services = await ensureServices(root);
if (task.browser) {
  await ensureChromium();
  await ensureFaces(root);
}
log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (!task.script) {
  const bin = dirname(process.execPath);
  for (const [k, v] of Object.entries({ ...services.env, PATH: `${bin}:${process.env.PATH}` }))
    console.log(`export ${k}='${v}'`);
  process.exit(0);
}

// `npm start` supervises the app: if its process dies anyway (a bug, an out-of-memory
// kill), it is started again and the restart is logged, while PostgreSQL, Redis and the
// chain keep running. A configuration error (exit 78) or a process that keeps dying
// within a minute of starting is not retried forever.
const supervise = taskName === 'start';
const MAX_QUICK_RESTARTS = 5;
let child;
let stopping = false;
// The terminal sends Ctrl-C to the whole process group; the child handles its own
// shutdown, and this process waits for it before stopping the services it started.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    if (child && child.exitCode === null && !child.killed) child.kill(sig);
  });
}
let code;
for (let quickRestarts = 0; ;) {
  const startedAt = Date.now();
  child = spawn(process.execPath, [join(root, task.script), ...rest], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...services.env },
  });
  const exit = await new Promise((resolve) => child.on('exit', (c, signal) => resolve({ c, signal })));
  code = exit.c ?? (exit.signal ? 1 : 0);
  if (!supervise || stopping || code === 0 || code === 78) break;
  quickRestarts = Date.now() - startedAt > 60_000 ? 1 : quickRestarts + 1;
  if (quickRestarts > MAX_QUICK_RESTARTS) {
    log(`the app died ${MAX_QUICK_RESTARTS} times within a minute of starting; giving up`);
    break;
  }
  const wait = Math.min(500 * 2 ** (quickRestarts - 1), 10_000);
  log(
    `the app process died (${exit.signal ?? `exit code ${code}`}); restarting it in ${wait} ms ` +
      `(PostgreSQL, Redis and the chain keep running)`,
  );
  await new Promise((r) => setTimeout(r, wait));
  if (stopping) break;
}
await stopServices(services);
process.exit(code);
