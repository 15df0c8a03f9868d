import { spawnSync } from 'node:child_process';

export function log(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`\n[bootstrap] ${message}\n`);
  process.exit(1);
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (res.error) throw new Error(`${cmd}: ${res.error.message}`);
  if (res.status !== 0 && !options.allowFail) {
    const output = `${res.stdout ?? ''}${res.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${res.status}\n${output}`);
  }
  return res;
}

export function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function which(cmd) {
  const res = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
}

/** Installs Debian packages, as root directly or through sudo. */
export function aptInstall(packages, why) {
  const prefix = isRoot() ? [] : which('sudo') ? ['sudo'] : null;
  if (!prefix) fail(`${why}: install ${packages.join(' ')} with apt (needs root), then run again.`);
  log(`installing ${packages.join(' ')} with apt (${why}); this happens once`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const runApt = (args) =>
    run(prefix[0] ?? 'apt-get', prefix.length ? ['apt-get', ...args] : args, { env, stdio: [0, 2, 2] });
  runApt(['update', '-q']);
  runApt(['install', '-y', '-q', '--no-install-recommends', ...packages]);
}
