import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import { configVariable, defineConfig } from "hardhat/config";
import type { HardhatPlugin } from "hardhat/types/plugins";

const require = createRequire(import.meta.url);

/** The compiler is the npm `solc` WebAssembly build, pinned in package.json, so builds work offline. */
const SOLC_VERSION = "0.8.30";

/**
 * Hides solc's transient-storage warning (2394) when it points into OpenZeppelin's own sources
 * (`TransientSlot.sol`, used by the library's reentrancy guard): users cannot act on it. The same
 * warning on a project file, and every other warning, is still printed.
 */
export function isLibraryTransientStorageWarning(error: {
  severity: string;
  errorCode?: string;
  formattedMessage?: string;
  message: string;
}): boolean {
  return (
    error.severity === "warning" &&
    error.errorCode === "2394" &&
    /-->\s+\S*@openzeppelin\/contracts(@[^/\s]+)?\//.test(error.formattedMessage ?? error.message)
  );
}

const quietLibraryWarnings: HardhatPlugin = {
  id: "ai-token-futures-quiet-library-warnings",
  hookHandlers: {
    solidity: async () => ({
      default: async () => ({
        getCompilationJobErrors: async (context, job, output, next) =>
          (await next(context, job, output)).filter((e) => !isLibraryTransientStorageWarning(e)),
      }),
    }),
  },
};

/** The IR pipeline at 200 optimizer runs: what the Clearinghouse, at the EIP-170 limit, can afford. */
const IR_200 = {
  version: SOLC_VERSION,
  path: require.resolve("solc/soljson.js"),
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun", viaIR: true },
};

/**
 * The Exchange and the oracle are far below EIP-170 (10 and 14 kB at 200 runs), so they are built for
 * execution: the optimizer at 1,000,000 runs (docs/exchange.md, "Compile settings").
 */
const HIGH_RUNS = Object.fromEntries(
  ["contracts/Exchange.sol", "contracts/IndexOracle.sol"].map((file) => [
    file,
    { ...IR_200, settings: { ...IR_200.settings, optimizer: { enabled: true, runs: 1_000_000 } } },
  ]),
);

/** `DEEP=1` selects the long fuzz/invariant profile used by `npm run test:deep`. */
const deep = process.env.DEEP === "1";

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, hardhatViem, quietLibraryWarnings],
  solidity: {
    profiles: {
      // What deploys, and what the gas snapshot, the EIP-170 size test, the demo and the deep profile run:
      // the IR pipeline, optimizer at 200 runs (docs/exchange.md, "Compile settings: via-IR").
      default: {
        compilers: [IR_200],
        overrides: HIGH_RUNS,
      },
      // Same settings; not isolated, because a file holding only structs (ClearinghouseStorage.sol)
      // compiled alone yields a build info without contracts, which the in-process chain rejects.
      production: {
        isolated: false,
        compilers: [IR_200],
        overrides: HIGH_RUNS,
      },
      // The instrumented coverage run only (`scripts/test-ci.ts`): the legacy pipeline, because the
      // instrumented build changes the bytecode anyway and the IR pipeline of the WebAssembly compiler
      // takes about four times as long on it. Behaviour is also tested on the IR build: the gas, size and
      // griefing tests every CI run, and every Solidity suite in the deep profile.
      coverage: {
        version: SOLC_VERSION,
        path: require.resolve("solc/soljson.js"),
        settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
      },
    },
    npmFilesToBuild: ["@openzeppelin/contracts/access/manager/AccessManager.sol"],
  },
  paths: {
    tests: { solidity: "test/sol", mocha: "test/ts" },
  },
  test: {
    solidity: {
      fuzz: { runs: deep ? 5_000 : 256, seed: "0x5eed" },
      invariant: { runs: deep ? 256 : 32, depth: deep ? 200 : 40, failOnRevert: false },
    },
  },
  typechain: { outDir: "typechain-types" },
  // Mocks and test-only contracts are not part of the protocol's coverage figures.
  coverage: { skipFiles: ["contracts/test/**"] },
  networks: {
    hardhatMainnet: { type: "edr-simulated", chainType: "l1" },
    localhost: { type: "http", chainType: "l1", url: "http://127.0.0.1:8545" },
    // Public networks for the Ignition examples (docs/deployment.md). URL and key are read from the
    // environment or the keystore when the network is used; nothing secret lives in this file.
    sepolia: {
      type: "http",
      chainType: "l1",
      url: configVariable("SEPOLIA_RPC_URL"),
      accounts: [configVariable("SEPOLIA_PRIVATE_KEY")],
    },
    arbitrum: {
      type: "http",
      chainType: "generic",
      url: configVariable("ARBITRUM_RPC_URL"),
      accounts: [configVariable("ARBITRUM_PRIVATE_KEY")],
    },
  },
});
