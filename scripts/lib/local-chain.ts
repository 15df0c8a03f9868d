// Deploys the certificate contract on the embedded Hardhat node (once per node:
// the node keeps its state in memory, so a new node means a new deployment) and
// records where it went in .data/chain/deployment.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonRpcProvider, Network, NonceManager, Wallet } from 'ethers';
import { sql } from 'drizzle-orm';
import { deployCertificateContract } from '@exam-hall/contracts/certificate-contract.ts';
import { LOCAL_CHAIN_ID, LOCAL_ISSUER_KEY } from '../../server/src/config/config.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const recordFile = join(root, '.data', 'chain', 'deployment.json');

export interface LocalDeployment {
  rpcUrl: string;
  chainId: number;
  address: string;
  txHash: string;
  deployedAt: string;
}

export async function ensureLocalContract(rpcUrl: string): Promise<{ deployment: LocalDeployment; fresh: boolean }> {
  const provider = new JsonRpcProvider(rpcUrl, Network.from(LOCAL_CHAIN_ID), { staticNetwork: true, cacheTimeout: -1 });
  try {
    if (existsSync(recordFile)) {
      const recorded = JSON.parse(readFileSync(recordFile, 'utf8')) as LocalDeployment;
      if (recorded.rpcUrl === rpcUrl && (await provider.getCode(recorded.address)) !== '0x') {
        return { deployment: recorded, fresh: false };
      }
    }
    const signer = new NonceManager(new Wallet(LOCAL_ISSUER_KEY, provider));
    const issuer = await signer.getAddress();
    const deployed = await deployCertificateContract(signer, { admin: issuer, issuer });
    const deployment: LocalDeployment = {
      rpcUrl,
      chainId: LOCAL_CHAIN_ID,
      address: deployed.address,
      txHash: deployed.txHash,
      deployedAt: new Date().toISOString(),
    };
    mkdirSync(dirname(recordFile), { recursive: true });
    writeFileSync(recordFile, `${JSON.stringify(deployment, null, 2)}\n`);
    return { deployment, fresh: true };
  } finally {
    provider.destroy();
  }
}

/**
 * A new local node forgot every token: put the local chain's certificates back in the
 * queue so the demo's links verify again. Development only; a real chain keeps its tokens.
 */
export async function reissueLocalCertificates(databaseUrl: string): Promise<number> {
  const { createDb } = await import('../../server/src/db/client.ts');
  const { db, pool } = createDb(databaseUrl, 1);
  try {
    const result = await db.execute(sql`
      update certificates set status = 'pending', token_id = null, tx_hash = null, block_number = null,
        gas_used = null, issued_at = null, chain_id = null, contract_address = null, recipient_address = null,
        retry_count = 0, next_attempt_at = null, last_error = null, updated_at = now()
      where chain_id = ${LOCAL_CHAIN_ID} and status in ('issued', 'minting', 'failed')`);
    return result.rowCount ?? 0;
  } finally {
    await pool.end();
  }
}
