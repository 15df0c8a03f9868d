// `npm test` after the bootstrap: build the web app if it changed (browser tests
// use it), run every Vitest project, and end with one line totalling them all.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuild } from './lib/web-build.ts';
import { testLanes } from './lib/test-lanes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();
const args = process.argv.slice(2);

// Types and lint for every workspace: always in CI, locally with --check.
const withChecks = process.env.CI === 'true' || args.includes('--check');
if (withChecks) {
  process.stderr.write('[check] type checks and lint for every workspace\n');
  const check = spawnSync('npm', ['run', 'check', '--silent'], { cwd: root, stdio: 'inherit' });
  if (check.status !== 0) {
    console.error('Static checks failed (npm run check); no tests were run.');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
ensureWebBuild(root);

// Two Vitest processes at once for the whole suite (scripts/lib/test-lanes.ts): on 2 cores it
// takes about as long as its longer lane.
const passThrough = args.filter((a) => a !== '--check');
const lanes = testLanes(passThrough, process.env);
mkdirSync(join(root, '.data'), { recursive: true });
const resultFile = (lane: string) => join(root, '.data', `test-results-${lane}.json`);
for (const lane of lanes) rmSync(resultFile(lane.name), { force: true });

/** One Vitest process; with several lanes, all but the last print their output whole when they end. */
function runLane(lane: (typeof lanes)[number], live: boolean): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      'npx',
      [
        'vitest',
        'run',
        ...lane.projects.flatMap((p) => ['--project', p]),
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${resultFile(lane.name)}`,
        ...passThrough,
      ],
      {
        cwd: root,
        stdio: ['ignore', live ? 'inherit' : 'pipe', live ? 'inherit' : 'pipe'],
        env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      },
    );
    const out: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => out.push(d));
    child.on('close', (code) => {
      if (!live) {
        process.stdout.write(`\n----- ${lane.name} lane (${lane.projects.join(', ')}) -----\n`);
        process.stdout.write(Buffer.concat(out));
        process.stdout.write(`----- end of the ${lane.name} lane -----\n\n`);
      }
      resolve(code ?? 1);
    });
  });
}
const statuses = await Promise.all(lanes.map((lane, i) => runLane(lane, i === lanes.length - 1)));

interface JsonReport {
  testResults: { name: string; assertionResults: { status: string; fullName: string }[] }[];
}
const byRunner = new Map<string, { passed: number; failed: number; skipped: number }>();
for (const lane of lanes) {
  const results = resultFile(lane.name);
  if (!existsSync(results)) {
    console.error(`The ${lane.name} lane wrote no results (${results}): counted as a failure.`);
    byRunner.set(`${lane.name} lane`, { passed: 0, failed: 1, skipped: 0 });
    continue;
  }
  const report = JSON.parse(readFileSync(results, 'utf8')) as JsonReport;
  for (const file of report.testResults) {
    const runner = file.name.includes('/test/browser/')
      ? 'browser'
      : file.name.includes('/test/integration/')
        ? 'integration'
        : file.name.includes('/test/service/')
          ? 'service'
          : file.name.includes('/contracts/')
            ? 'contracts'
            : 'unit';
    const row = byRunner.get(runner) ?? { passed: 0, failed: 0, skipped: 0 };
    for (const t of file.assertionResults) {
      if (t.status === 'passed') row.passed++;
      else if (t.status === 'failed') row.failed++;
      else row.skipped++;
    }
    // A file that failed to load has no assertions but is still a failure.
    if (file.assertionResults.length === 0) row.failed++;
    byRunner.set(runner, row);
  }
}
const total = { passed: 0, failed: 0, skipped: 0 };
for (const [runner, r] of [...byRunner].sort()) {
  console.log(
    `${runner.padEnd(12)} ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`,
  );
  total.passed += r.passed;
  total.failed += r.failed;
  total.skipped += r.skipped;
}
console.log(`\nnpm test finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
const ranNothing = total.passed + total.failed === 0;
if (ranNothing) console.error('No test ran: that counts as a failure.');
process.exit(statuses.some((c) => c !== 0) || total.failed > 0 || ranNothing ? 1 : 0);
