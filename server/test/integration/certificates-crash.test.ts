// The certificate worker killed (SIGKILL) after broadcasting the mint transaction
// and before recording its receipt; a restarted worker must end with exactly one
// token. The test runs its own Hardhat node with automine off, so the transaction
// waits in the mempool while the worker is killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { certificates } from '../../src/db/schema/index.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { tokenIdOf } from '../../src/modules/certificates/certificates.metadata.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';
import { deployTestContract, startHardhatNode } from '../support/chain.ts';
import { gradedAttempt, waitFor } from '../support/certificates.ts';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
let node: Awaited<ReturnType<typeof startHardhatNode>>;
let chainEnv: Awaited<ReturnType<typeof deployTestContract>>;
let t: TestSystem;
const children: ChildProcess[] = [];

beforeAll(async () => {
  node = await startHardhatNode();
  chainEnv = await deployTestContract(node.url);
  t = await startTestSystem(chainEnv.env);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await t?.close();
  chainEnv?.close();
  await node?.stop();
});

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      EXAM_HALL_ROLE: 'worker',
      LOG_LEVEL: 'warn',
      DATABASE_URL: t.system.config.database.url,
      REDIS_URL: t.system.config.redis.url,
      REDIS_PREFIX: t.system.config.redis.prefix,
      ...chainEnv.env,
    },
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

it('mints exactly one token when the worker dies after sending the transaction', async () => {
  const teacher = await signedIn(t, 'teacher');
  const exam = await publishedExam(t, teacher, { issueCertificates: true });
  const pass = await gradedAttempt(t, teacher, exam.id, true);
  await evaluateAttempt(t.system.db, 'X', pass.attemptId);
  const provider = chainEnv.provider;
  await provider.send('evm_setAutomine', [false]);

  // The worker's start-up reconcile job also mints what is pending.
  const first = startWorker();
  const sent = await waitFor(
    'the mint transaction to be recorded',
    async () => {
      const [c] = await t.system.db.select().from(certificates).where(eq(certificates.attemptId, pass.attemptId));
      return c?.status === 'minting' && c.txHash ? c : null;
    },
    60_000,
  );
  const inPool = await provider.send('eth_getTransactionByHash', [sent.txHash]);
  expect(inPool).not.toBeNull();
  expect(inPool.blockNumber).toBeNull(); // broadcast, not mined
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));

  await provider.send('evm_mine', []);
  await provider.send('evm_setAutomine', [true]);
  startWorker();
  const issued = await waitFor(
    'the restarted worker to settle the certificate',
    async () => {
      const [c] = await t.system.db.select().from(certificates).where(eq(certificates.attemptId, pass.attemptId));
      return c?.status === 'issued' ? c : null;
    },
    60_000,
  );

  const tokenId = tokenIdOf(issued.id);
  expect(issued.txHash).toBe(sent.txHash);
  expect(issued.tokenId).toBe(tokenId.toString());
  const contract = chainEnv.contract;
  const events = await contract.queryFilter(contract.filters.CertificateIssued!(tokenId));
  expect(events).toHaveLength(1);
  expect(await contract.getFunction('balanceOf')(chainEnv.wallet.address)).toBe(1n);
  // Deployment plus the one mint: the restarted worker sent nothing.
  expect(await provider.getTransactionCount(chainEnv.wallet.address)).toBe(2);
}, 180_000); // two worker process starts, each waited for up to 60 s on a machine busy with the other lane
