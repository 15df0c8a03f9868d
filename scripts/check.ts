// `npm run check`: type checks of every workspace, ESLint and Prettier, two at a time
// (they are independent and each is mostly one core busy). Each task's output is
// printed whole when it ends, so parallel output never interleaves.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tasks: [name: string, command: string][] = [
  ['web types', 'npm run typecheck -w web --silent'],
  // Server, protocol, contracts and scripts as one program (tsconfig.check.json): as four, the
  // server was checked again by each workspace that imports it.
  ['node types', 'npx tsc -p tsconfig.check.json'],
  ['eslint', 'npx eslint .'],
  ['prettier', 'npx prettier --check . --log-level warn'],
];

function run(name: string, command: string): Promise<boolean> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, { cwd: root, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`[check] ${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds} s\n`);
      if (code !== 0 && out.trim()) process.stdout.write(`${out.trimEnd()}\n`);
      resolve(code === 0);
    });
  });
}

const queue = [...tasks];
const lanes = Math.min(2, availableParallelism());
const results = await Promise.all(
  Array.from({ length: lanes }, async () => {
    let ok = true;
    for (let t = queue.shift(); t; t = queue.shift()) ok = (await run(...t)) && ok;
    return ok;
  }),
);
process.exit(results.every(Boolean) ? 0 : 1);
