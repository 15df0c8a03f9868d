// The server under test as its own process (`node server/src/main.ts`, as production
// runs it), so its CPU and memory can be read from /proc. `main` may point at another
// checkout's server/src/main.ts to compare two revisions on the same machine.
import { spawn } from 'node:child_process';
import { freePort } from '../../server/test/support/processes.ts';

export const DEFAULT_MAIN = new URL('../../server/src/main.ts', import.meta.url).pathname;

export async function startServer(main: string, env: Record<string, string>) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      // Proctors sign in once each; the default per-IP limit is for the real world.
      SIGN_IN_MAX_PER_IP: '10000',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // Warn-level logs only; kept bounded in case something logs on every request.
  const keep = (d: Buffer) => void (out = (out + d.toString()).slice(-1_000_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the server did not become healthy within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid!,
    output: () => out,
    /** SIGTERM, then SIGKILL if it has not gone within 15 s. */
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
    },
  };
}
