/**
 * What a gas benchmark scenario (`bench/gas/exchange.ts`, `bench/gas/clearinghouse.ts`) leaves behind:
 * its figures, the transactions behind them and the deployed contracts, so `npm run bench:gas` reads
 * the figures and `npm run bench:trace` breaks down the very same transactions.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

export interface Scenario {
  /** The connection the scenario ran on (its chain still holds the transactions). */
  ethers: HardhatEthers;
  /** Whole-transaction gas (21,000 base included) per key. */
  figures: Record<string, number>;
  /** The hash of the transaction measured for each key that is one transaction. */
  txs: Record<string, string>;
  /** Deployed contracts: name → address. */
  contracts: Record<string, string>;
}

/** A sent transaction as ethers returns it. */
export type Sent = Promise<{ wait(): Promise<{ gasUsed: bigint; hash: string } | null> }>;

/** Waits for a transaction's receipt: its gas and hash. */
export async function send(tx: Sent): Promise<{ gas: number; hash: string }> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("no receipt");
  return { gas: Number(receipt.gasUsed), hash: receipt.hash };
}

/** Records measured transactions into `figures` and `txs` under their key; returns the gas. */
export function recorder(figures: Record<string, number>, txs: Record<string, string>) {
  return async (key: string, tx: Sent): Promise<number> => {
    const { gas, hash } = await send(tx);
    figures[key] = gas;
    txs[key] = hash;
    return gas;
  };
}
