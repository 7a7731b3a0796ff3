/**
 * The collateral token, future id `Collateral` either way (the SDK's address book reads it by that
 * id):
 * - `Collateral`: an existing ERC-20 (USDC on a real network), parameter `address`;
 * - `MockCollateral`: a freshly deployed `MockERC20` whose `mint` is open to anyone, for local
 *   chains and test networks only, parameters `name`, `symbol`, `decimals`.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Artifact, ContractFuture, IgnitionModule } from "@nomicfoundation/ignition-core";
import { erc20Abi } from "viem";

/**
 * An interface-only artifact for a token the protocol does not deploy: the standard ERC-20 ABI
 * (with `name`, `symbol`, `decimals`), no bytecode. This repository compiles no ERC-20 interface of
 * its own, and `contractAt` needs an ABI.
 */
export const ERC20_ARTIFACT: Artifact<typeof erc20Abi> = {
  _format: "hh3-artifact-1",
  contractName: "IERC20Metadata",
  sourceName: "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol",
  abi: erc20Abi,
  bytecode: "0x",
  deployedBytecode: "0x",
  linkReferences: {},
  deployedLinkReferences: {},
};

/** An existing token at the `address` parameter. */
export const ExistingCollateralModule = buildModule("Collateral", (m) => {
  const collateral = m.contractAt("IERC20Metadata", ERC20_ARTIFACT, m.getParameter<string>("address"), {
    id: "Collateral",
  });
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
