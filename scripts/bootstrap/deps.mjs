// `npm install` only when package.json files or the lock file changed since the
// last successful install, so a second run costs a few milliseconds.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, run } from './util.mjs';

const WORKSPACES = ['protocol', 'server', 'contracts', 'web'];

function fingerprint(root) {
  const hash = createHash('sha256');
  hash.update(process.versions.node);
  for (const file of ['package.json', 'package-lock.json', ...WORKSPACES.map((w) => `${w}/package.json`)]) {
    const path = join(root, file);
    hash.update(file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

export async function ensureDependencies(root) {
  const stamp = join(root, 'node_modules', '.exam-hall-install');
  const want = fingerprint(root);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('installing npm dependencies');
  // `npm ci` is avoided on purpose: Hardhat's optional native binaries are missing
  // from the lock file for other platforms, and `npm ci` then fails.
  run('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: [0, 2, 2] });
  writeFileSync(stamp, fingerprint(root));
}
