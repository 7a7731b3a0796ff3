/**
 * The chain's own clock and head. Every protocol decision of a keeper is taken at the latest block's
 * timestamp, never at the machine's wall clock: the contracts compare `block.timestamp`, and a node's
 * clock can differ from the host's (a local node after `evm_increaseTime`, a chain that lags).
 */
import type { Hex } from "viem";

/** The latest block: its number, hash and timestamp (unix seconds). */
export interface ChainHead {
  number: bigint;
  hash: Hex;
  timestamp: bigint;
}

/** What the head is read from (a viem `PublicClient` qualifies). */
export interface HeadSource {
  getBlock(args: { blockTag: "latest" } | { blockNumber: bigint }): Promise<{
    number: bigint | null;
    hash: Hex | null;
    timestamp: bigint;
  }>;
}

/** The latest block of `client`. */
export async function readHead(client: HeadSource): Promise<ChainHead> {
  const block = await client.getBlock({ blockTag: "latest" });
  if (block.number === null || block.hash === null) throw new Error("the latest block is still pending");
  return { number: block.number, hash: block.hash, timestamp: block.timestamp };
}
