import { createRequire } from 'node:module';
import { defineConfig } from 'hardhat/config';

// Hardhat would download solc (there is no internet in CI or here); pointing `path` at the wasm build from the
// pinned npm package compiles offline. It must be an absolute path, and `version` must match that package.
const require = createRequire(import.meta.url);

export const solcVersion = '0.8.37';

export default defineConfig({
  solidity: {
    version: solcVersion,
    path: require.resolve('solc/soljson.js'),
    settings: {
      optimizer: { enabled: true, runs: 200 },
      // Pinned so the bytecode does not follow the compiler's default target; cancun runs on the
      // mainstream EVM chains.
      evmVersion: 'cancun',
    },
  },
});
