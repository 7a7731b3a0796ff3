import type { Address, Hex } from "viem";
import { readContract } from "viem/actions";

import { indexOracleAbi } from "../../abi/generated/indexOracle.js";
import { throwDecoded, type ReadClient, type ActionErrorType } from "../internal/send.js";
import type { IndexOracleTwapRevert } from "../../core/errors/reverts.js";

/** Parameters of `readTwap`. */
export interface ReadTwapParameters {
  /** The IndexOracle. */
  address: Address;
  indexId: Hex;
  /** Window start (unix seconds). */
  from: bigint;
  /** Window end (unix seconds), at most the block's timestamp. */
  to: bigint;
  blockNumber?: bigint;
}

/** The time-weighted average value over the window, 18 decimals, rounded down. */
export type ReadTwapReturnType = bigint;

/**
 * What `readTwap` throws: the typed reverts of the contract function it calls (`IndexOracleTwapRevert`), or
 * `ActionErrorType`.
 */
export type ReadTwapErrorType = IndexOracleTwapRevert | ActionErrorType;

/**
 * Reads `IndexOracle.twap(indexId, from, to)`. The core's `twap(checkpoints, from, to, ctx)` computes
 * the same number off-chain from `readCheckpoints`.
 * @example
 * const avg = await readTwap(publicClient, { address, indexId, from: now - 3600n, to: now });
 */
export async function readTwap(client: ReadClient, params: ReadTwapParameters): Promise<ReadTwapReturnType> {
  try {
    return await readContract(client, {
      address: params.address,
      abi: indexOracleAbi,
      functionName: "twap",
      args: [params.indexId, params.from, params.to],
      blockNumber: params.blockNumber,
    });
  } catch (err) {
    throwDecoded(err);
  }
}
