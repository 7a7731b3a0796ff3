/**
 * The protocol's TypeScript SDK: `import { … } from "ai-token-futures/sdk"`.
 *
 * - core (pure): ids, EIP-712 builders, the oracle and Clearinghouse math mirrors, the `Market` /
 *   `Account` / `LimitOrder` entities, typed errors, the address book;
 * - viem layer: typed reads and writes (oracle, exchange, clearinghouse), one-request account and
 *   market loads, event backfill and watching;
 * - ABIs for viem.
 *
 * ethers users import `ai-token-futures/sdk/ethers` (typechain bindings and signers).
 *
 * @module
 */
export * from "./core/index.js";
export * from "./viem/index.js";
export * from "./abi/index.js";
export * from "./relay/index.js";
