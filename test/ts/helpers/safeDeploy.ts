/**
 * Safe 1.4.1 deployed from the npm `@safe-global/safe-contracts` artifacts, for the tests that trade as a
 * real Safe (`test/ts/sdk/safe.test.ts`, the app's browser test through `test/ts/app/safeWallet.ts`).
 */
import { createRequire } from "node:module";

import {
  encodeFunctionData,
  getAddress,
  parseEventLogs,
  zeroAddress,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

const require = createRequire(import.meta.url);

/** A Safe 1.4.1 artifact by its path under `build/artifacts/contracts/` (without `.json`). */
export const safeArtifact = (path: string) =>
  require(`@safe-global/safe-contracts/build/artifacts/contracts/${path}.json`) as {
    abi: Abi;
    bytecode: Hex;
  };

export const SAFE_SINGLETON = safeArtifact("Safe.sol/Safe");
export const SAFE_PROXY_FACTORY = safeArtifact("proxies/SafeProxyFactory.sol/SafeProxyFactory");

/**
 * Deploys the Safe singleton, its proxy factory and `CompatibilityFallbackHandler` with `deployer`, then a
 * Safe proxy with `owners` and `threshold`; every transaction must succeed. `deploy` also deploys the other
 * artifacts a test needs with the same account.
 */
export async function deploySafe(
  publicClient: PublicClient,
  deployer: WalletClient<Transport, Chain, Account>,
  params: { owners: readonly Address[]; threshold: bigint },
) {
  const mined = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${hash} reverted`);
    return receipt;
  };
  const deploy = async (a: { abi: Abi; bytecode: Hex }) =>
    (await mined(await deployer.deployContract({ abi: a.abi, bytecode: a.bytecode, args: [] })))
      .contractAddress as Address;
  const singleton = await deploy(SAFE_SINGLETON);
  const factory = await deploy(SAFE_PROXY_FACTORY);
  const handler = await deploy(
    safeArtifact("handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler"),
  );
  const initializer = encodeFunctionData({
    abi: SAFE_SINGLETON.abi,
    functionName: "setup",
    args: [params.owners, params.threshold, zeroAddress, "0x", handler, zeroAddress, 0n, zeroAddress],
  });
  const receipt = await mined(
    await deployer.writeContract({
      address: factory,
      abi: SAFE_PROXY_FACTORY.abi,
      functionName: "createProxyWithNonce",
      args: [singleton, initializer, 1n],
    }),
  );
  const [event] = parseEventLogs({
    abi: SAFE_PROXY_FACTORY.abi,
    logs: receipt.logs,
    eventName: "ProxyCreation",
  });
  const safe = getAddress((event.args as { proxy: Address }).proxy);
  return { safe, singleton, factory, handler, deploy };
}
