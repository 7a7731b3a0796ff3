/**
 * The names a doc example takes from its context (`<!-- example: context=stack; given=a, b -->`, see
 * scripts/doc-examples.ts). The generated module's first line is
 * `const { a, b } = await given("stack", "docs/x.md:12")`: the types below are what the type-check sees,
 * and at run time the values come from the context the test registered.
 *
 * The `stack` context is the local stack `npm start` runs (`startStack`: node, Ignition deployment,
 * markets, funded traders, keepers), on a free loopback port with its files in a temporary directory:
 * - `maker` #16, `taker` #17 (the `…Wallet` / `…Signer` / `signer` clients), `me` #18 (long 5 in `marketId`
 *   against #19), `KEY` / `wallet` #19, each with 100,000 mUSDC deposited; `reporters` #5, #6, #7 (the
 *   stack's reporter keys; they sign, #19 sends);
 * - `marketId` the nearest GPU-H100 market, `price` its mark on the tick, `order` / `signed` / `sig` a fresh
 *   sell order of the maker (10 at `price`), `now` the latest block's time after the chain moved past the
 *   oracle's `minInterval` (60 s), so that every example may post a round.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { Wallet } from "ethers";
import type { Address, EIP1193Provider, Hex, LocalAccount, PublicClient } from "viem";

import type { AddressBook } from "../../../sdk/core/addressBook.js";
import type { Order } from "../../../sdk/core/eip712/orders.js";
import type { OracleReport } from "../../../sdk/core/eip712/reports.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import type { Exchange } from "../../../sdk/ethers.js";
import type { WriteClient } from "../../../sdk/viem/index.js";

/** What the `stack` context supplies (a name the example lists in `given=`). */
export interface StackGiven {
  // chain and deployment
  publicClient: PublicClient;
  book: AddressBook;
  chainId: number;
  now: bigint;
  nowSeconds: bigint;
  exchangeAddress: Address;
  oracleAddress: Address;
  accessManager: Address;
  collateral: Address;
  oracle: Address;
  treasury: Address;
  /** Hardhat's ethers on the stack's node (account #0 deploys). */
  ethers: HardhatEthers;
  // the oracle
  reporters: LocalAccount[];
  reporterAccounts: LocalAccount[];
  inputsHash: Hex;
  report: OracleReport;
  reporterSigner: Wallet;
  // traders
  KEY: Hex;
  wallet: WriteClient;
  maker: Address;
  trader: Address;
  makerWallet: WriteClient;
  takerWallet: WriteClient;
  walletClientOrLocalAccount: LocalAccount;
  makerSigner: Wallet;
  ethersSigner: Wallet;
  signer: Wallet;
  me: Address;
  marketId: MarketId;
  price: bigint;
  order: Order;
  signed: { order: Order; signature: Hex };
  sig: Hex;
  /** The typechain Exchange, connected to the taker's ethers signer. */
  exchange: Exchange;
  /** A browser wallet (EIP-1193) holding the maker's key. */
  window: { ethereum: EIP1193Provider };
  // typed only: examples that use these are `no-run` (test/ts/sdk/safe.test.ts runs them)
  safe: Address;
  ownerA: LocalAccount;
  ownerB: LocalAccount;
  taker: WriteClient;
  signMessageLib: Address;
}

export interface Contexts {
  stack: StackGiven;
}

type Factory<C extends keyof Contexts> = (at: string) => Promise<Partial<Contexts[C]>>;

const factories: { [C in keyof Contexts]?: Factory<C> } = {};

/** Registers how a context's values are made (the test does, before it runs the examples). */
export function provide<C extends keyof Contexts>(name: C, factory: Factory<C> | undefined): void {
  factories[name] = factory;
}

/**
 * The values of context `name` for the example at `at`. A name the context does not supply at run time
 * throws when the example reads it, naming both.
 */
export async function given<C extends keyof Contexts>(name: C, at: string): Promise<Contexts[C]> {
  const factory = factories[name] as Factory<C> | undefined;
  if (factory === undefined) throw new Error(`${at}: no "${name}" context is running`);
  const values = await factory(at);
  return new Proxy(values, {
    get(target, key) {
      // `then` is asked by `await` (is this a promise?): not a name an example gives
      if (typeof key === "string" && key !== "then" && !(key in target)) {
        throw new Error(`${at}: the "${name}" context has no value for "${key}"`);
      }
      return Reflect.get(target, key);
    },
  }) as Contexts[C];
}
