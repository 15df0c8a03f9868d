// The embedded local chain: a Hardhat JSON-RPC node (chain id 31337) on 127.0.0.1,
// started from the contracts workspace. It keeps its state in memory only; the
// contract is deployed by scripts/lib/local-chain.ts once the node answers.
// Skipped when CHAIN_RPC_URL points at another network.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fail, log } from './util.mjs';

export const CHAIN_PORT = Number(process.env.EXAM_HALL_CHAIN_PORT ?? 18545);

async function chainId(url) {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    const body = await res.json();
    return typeof body.result === 'string' ? Number(body.result) : null;
  } catch {
    return null;
  }
}

export async function ensureChain(root) {
  const url = `http://127.0.0.1:${CHAIN_PORT}`;
  const running = await chainId(url);
  if (running !== null) {
    if (running !== 31337) fail(`something else answers on ${url} (chain id ${running}); set EXAM_HALL_CHAIN_PORT`);
    return { url, started: false };
  }
  const dir = join(root, '.data', 'chain');
  mkdirSync(dir, { recursive: true });
  // A node from an earlier run holds no state worth keeping: forget its deployment.
  rmSync(join(dir, 'deployment.json'), { force: true });
  log(`starting the local chain (Hardhat node) on ${url}`);
  const out = openSync(join(dir, 'node.log'), 'w');
  const child = spawn(
    process.execPath,
    [
      join(root, 'node_modules', 'hardhat', 'dist', 'src', 'cli.js'),
      'node',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(CHAIN_PORT),
    ],
    { cwd: join(root, 'contracts'), detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  writeFileSync(join(dir, 'node.pid'), String(child.pid));
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) break;
    if ((await chainId(url)) === 31337) {
      return {
        url,
        started: true,
        stop: () => {
          try {
            process.kill(child.pid);
          } catch {
            /* already gone */
          }
        },
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const tail = existsSync(join(dir, 'node.log')) ? readFileSync(join(dir, 'node.log'), 'utf8').slice(-2000) : '';
  fail(`the local chain did not start on ${url}:\n${tail}`);
}
