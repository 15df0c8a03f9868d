// Shared by the artifact export and the tests: a Hardhat runtime rooted at contracts/ whatever the
// current directory is (Vitest runs from the repository root), and one fresh compile of the certificate.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import type { HardhatRuntimeEnvironment } from 'hardhat/types/hre';
import userConfig from '../hardhat.config.ts';

export const contractsRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONTRACT_NAME = 'ExamHallCertificate';

export async function createContractsHre(): Promise<HardhatRuntimeEnvironment> {
  const configPath = path.join(contractsRoot, 'hardhat.config.ts');
  return createHardhatRuntimeEnvironment(userConfig, { config: configPath }, contractsRoot);
}

export interface CompiledCertificate {
  abi: readonly unknown[];
  bytecode: string;
}

export async function compileCertificate(hre: HardhatRuntimeEnvironment): Promise<CompiledCertificate> {
  await hre.tasks.getTask('build').run({ quiet: true, noTests: true });
  const artifact = await hre.artifacts.readArtifact(CONTRACT_NAME);
  return { abi: artifact.abi, bytecode: artifact.bytecode };
}
