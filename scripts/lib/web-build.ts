// Builds the SvelteKit app only when its inputs changed since the last build.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const INPUTS = [
  'web/src',
  'web/static',
  'web/vite.config.ts',
  'web/svelte.config.js',
  'web/package.json',
  'protocol/src',
];

function walk(root: string, path: string, hash: ReturnType<typeof createHash>) {
  if (!existsSync(path)) return;
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) walk(root, join(path, name), hash);
  } else {
    hash.update(relative(root, path));
    hash.update(readFileSync(path));
  }
}

export function ensureWebBuild(root: string): void {
  const hash = createHash('sha256');
  for (const input of INPUTS) walk(root, join(root, input), hash);
  const want = hash.digest('hex');
  const stamp = join(root, 'web', 'build', '.inputs');
  // svelte-kit sync writes web/node_modules/$app (the tsconfig the web tests load);
  // an npm install can remove it even when the build itself is current.
  if (!existsSync(join(root, 'web', 'node_modules', '$app', 'tsconfig.json'))) {
    execFileSync('npx', ['svelte-kit', 'sync'], { cwd: join(root, 'web'), stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  process.stderr.write('[web] building the SvelteKit app\n');
  const started = Date.now();
  execFileSync('npm', ['run', 'build', '-w', 'web', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(stamp, want);
  process.stderr.write(`[web] built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
