// `npm test` after the bootstrap: build the web app if it changed (browser tests
// use it), run every Vitest project, and end with one line totalling them all.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuild } from './lib/web-build.ts';

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

const results = join(root, '.data', 'test-results.json');
mkdirSync(join(root, '.data'), { recursive: true });
rmSync(results, { force: true });
const vitest = spawnSync(
  'npx',
  [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${results}`,
    ...args.filter((a) => a !== '--check'),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' } },
);

interface JsonReport {
  testResults: { name: string; assertionResults: { status: string; fullName: string }[] }[];
}
const byRunner = new Map<string, { passed: number; failed: number; skipped: number }>();
if (existsSync(results)) {
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
process.exit(vitest.status !== 0 || total.failed > 0 || ranNothing ? 1 : 0);
