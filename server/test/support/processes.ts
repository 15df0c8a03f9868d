import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM (graceful) or SIGKILL (a crash); resolves when the process has gone. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
}

/** A real `node server/src/main.ts` process, as production runs it (`entry`: another
 * script that starts the server the same way, e.g. one that can inject faults). */
export async function startServerProcess(
  env: Record<string, string>,
  opts: { entry?: string } = {},
): Promise<ServerProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [opts.entry ?? main], {
    env: {
      PATH: process.env.PATH,
      // The run's services (the bootstrap may have put them on other ports).
      ...pick(process.env, ['DATABASE_URL', 'REDIS_URL', 'CHAIN_RPC_URL']),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      SERVE_WEB: 'false',
      LOG_LEVEL: 'warn',
      SIGN_IN_MAX_PER_IP: '10000',
      // One accepting socket, without SO_REUSEPORT: the port comes from freePort() and another
      // test's server could take it meanwhile; this one must then fail to start, plainly (several
      // acceptors are tested in acceptors.test.ts, the refusal of a taken port included).
      HTTP_ACCEPTORS: '1',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // 60 s: in CI the browser lane runs beside this one on 2 cores, and one start took over 30 s.
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) throw new Error(`server did not become healthy:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}
