// `npm run build -w contracts`: compiles the contract and writes src/artifact.ts, the committed ABI and
// bytecode the server deploys with, so production never needs the compiler.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as prettier from 'prettier';
import { solcVersion } from '../hardhat.config.ts';
import { compileCertificate, contractsRoot, createContractsHre } from './compile.ts';

const hre = await createContractsHre();
const { abi, bytecode } = await compileCertificate(hre);

const source = `// GENERATED FILE, do not edit. Regenerate with \`npm run build -w contracts\` (scripts/export-artifact.ts)
// from contracts/ExamHallCertificate.sol; contracts/test/artifact.test.ts fails when it drifts from the source.

export const solcVersion = '${solcVersion}';

export const certificateAbi = ${JSON.stringify(abi, null, 2)} as const;

export const certificateBytecode = '${bytecode}';
`;

const target = path.join(contractsRoot, 'src', 'artifact.ts');
// Formatted like hand-written code so `prettier --check` passes without an ignore entry.
const prettierOptions = await prettier.resolveConfig(target);
await writeFile(target, await prettier.format(source, { ...prettierOptions, filepath: target }));
console.log(`wrote ${path.relative(process.cwd(), target)} (${(bytecode.length - 2) / 2} bytes of init code)`);
