// A certificate contract of its own for each test file, on the test run's Hardhat
// node, deployed by a fresh issuer key funded with hardhat_setBalance: test files
// run in parallel without sharing nonces or tokens.
import { JsonRpcProvider, Network, Wallet, toBeHex, parseEther } from 'ethers';
import { certificateContract, deployCertificateContract } from '@exam-hall/contracts/certificate-contract.ts';
import { LOCAL_CHAIN_ID, LOCAL_CHAIN_PORT } from '../../src/config/config.ts';

export const testRpcUrl = () => process.env.CHAIN_RPC_URL ?? `http://127.0.0.1:${LOCAL_CHAIN_PORT}`;

export async function deployTestContract(rpcUrl = testRpcUrl()) {
  const provider = new JsonRpcProvider(rpcUrl, Network.from(LOCAL_CHAIN_ID), { staticNetwork: true, cacheTimeout: -1 });
  const wallet = Wallet.createRandom().connect(provider);
  await provider.send('hardhat_setBalance', [wallet.address, toBeHex(parseEther('1000'))]);
  const deployed = await deployCertificateContract(wallet, { admin: wallet.address, issuer: wallet.address });
  return {
    env: {
      CHAIN_RPC_URL: rpcUrl,
      CHAIN_ID: String(LOCAL_CHAIN_ID),
      CHAIN_ISSUER_KEY: wallet.privateKey,
      CERTIFICATE_CONTRACT_ADDRESS: deployed.address,
    },
    provider,
    wallet,
    address: deployed.address,
    contract: certificateContract(deployed.address, provider),
    close: () => provider.destroy(),
  };
}

/** A Hardhat node of this test's own, for tests that change how the chain mines. */
export async function startHardhatNode() {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const { freePort } = await import('./processes.ts');
  const port = await freePort();
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const child = spawn(
    process.execPath,
    [`${root}node_modules/hardhat/dist/src/cli.js`, 'node', '--hostname', '127.0.0.1', '--port', String(port)],
    { cwd: `${root}contracts`, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null || Date.now() > until) throw new Error(`hardhat node did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
