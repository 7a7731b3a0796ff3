import type { Address, Hex } from "viem";
import { readContract } from "viem/actions";

import { indexOracleAbi } from "../../abi/generated/indexOracle.js";
import { throwDecoded, type ReadClient, type ActionErrorType } from "../internal/send.js";
import type { IndexOracleLatestRevert } from "../../core/errors/reverts.js";

/** Parameters of `readLatest`. */
export interface ReadLatestParameters {
  /** The IndexOracle. */
  address: Address;
  indexId: Hex;
  /** Read at this block instead of the latest. */
  blockNumber?: bigint;
}

/** The latest value of an index (18 decimals) and the time it took effect (unix seconds). */
export interface ReadLatestReturnType {
  value: bigint;
  updatedAt: bigint;
}

/**
 * What `readLatest` throws: the typed reverts of the contract function it calls
 * (`IndexOracleLatestRevert`), or `ActionErrorType`.
 */
export type ReadLatestErrorType = IndexOracleLatestRevert | ActionErrorType;

/**
 * Reads `IndexOracle.latest(indexId)`. Throws the typed `StaleIndexError`, `NoRoundsError` or
 * `UnknownIndexError` as the contract reverts.
 * @example
 * const { value, updatedAt } = await readLatest(publicClient, { address: book.indexOracle, indexId: indexIdOf("ATPI-FRONTIER") });
 */
export async function readLatest(
  client: ReadClient,
  params: ReadLatestParameters,
): Promise<ReadLatestReturnType> {
  try {
    const [value, updatedAt] = await readContract(client, {
      address: params.address,
      abi: indexOracleAbi,
      functionName: "latest",
      args: [params.indexId],
      blockNumber: params.blockNumber,
    });
    return { value, updatedAt };
  } catch (err) {
    throwDecoded(err);
  }
}
