/**
 * The collateral token, future id `Collateral` either way (the SDK's address book reads it by that
 * id):
 * - `Collateral`: an existing ERC-20 (USDC on a real network), parameter `address`;
 * - `MockCollateral`: a freshly deployed `MockERC20` whose `mint` is open to anyone, for local
 *   chains and test networks only, parameters `name`, `symbol`, `decimals`.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { ContractFuture, IgnitionModule } from "@nomicfoundation/ignition-core";

/** An existing token at the `address` parameter. */
export const ExistingCollateralModule = buildModule("Collateral", (m) => {
  const collateral = m.contractAt("IERC20Metadata", m.getParameter<string>("address"), { id: "Collateral" });
  return { collateral };
});

/** A mintable mock token. Never for a network holding real value. */
export const MockCollateralModule = buildModule("MockCollateral", (m) => {
  const collateral = m.contract(
    "MockERC20",
    [m.getParameter<string>("name"), m.getParameter<string>("symbol"), m.getParameter<number>("decimals")],
    { id: "Collateral" },
  );
  return { collateral };
});

/** Either collateral module. */
export type CollateralModule = IgnitionModule<string, string, { collateral: ContractFuture<string> }>;
