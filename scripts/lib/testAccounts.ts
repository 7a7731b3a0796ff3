/**
 * Hardhat's well-known test accounts: the public mnemonic `test test … junk`, derivation path
 * `m/44'/60'/0'/0/<i>`. Their private keys are published everywhere: never send real value to them.
 */
import { bytesToHex, type Address, type Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** The public test mnemonic every Hardhat chain funds by default. */
export const TEST_MNEMONIC = "test test test test test test test test test test test junk";

export interface TestAccount {
  index: number;
  address: Address;
  /** A PUBLIC test key. */
  privateKey: Hex;
}

/** Account `index` of the test mnemonic, with its private key. */
export function testAccount(index: number): TestAccount {
  const account = mnemonicToAccount(TEST_MNEMONIC, { addressIndex: index });
  const key = account.getHdKey().privateKey;
  if (key === null) throw new Error(`no private key for test account ${index}`);
  return { index, address: account.address, privateKey: bytesToHex(key) };
}

/**
 * What each test account does in the local stack (`ignition/parameters/local.json` fixes #0–#7 and #20; the
 * keepers and traders take the rest so that no two senders share a nonce sequence).
 */
export const STACK_ROLES: Readonly<Record<number, string>> = {
  0: "deployer (holds no role after the deployment)",
  1: "admin (AccessManager ADMIN)",
  2: "guardian",
  3: "market, risk, oracle, settlement, venue and treasury admin",
  4: "treasury",
  5: "reporter",
  6: "reporter",
  7: "reporter",
  8: "relayer ATPI-FRONTIER",
  9: "relayer ATPI-SMALL",
  10: "relayer GPU-H100",
  11: "matcher",
  12: "liquidator",
  13: "settler",
  14: "trader (funded with mUSDC)",
  15: "trader (funded with mUSDC)",
  16: "trader (funded with mUSDC)",
  17: "trader (funded with mUSDC)",
  18: "trader (funded with mUSDC)",
  19: "trader (funded with mUSDC)",
  20: "reporter (authorised, not run: the fault the quorum of 3 of 4 tolerates)",
};

/** The trader accounts the stack funds with collateral. */
export const TRADER_INDICES = [14, 15, 16, 17, 18, 19] as const;
