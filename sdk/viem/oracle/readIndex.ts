import type { Address, Hex } from "viem";
import { multicall } from "viem/actions";

import { indexOracleAbi } from "../../abi/generated/indexOracle.js";
import type { Checkpoint } from "../../core/oracle/checkpoints.js";
import { throwDecoded, type ReadClient, type ActionErrorType } from "../internal/send.js";
import type { IndexOracleExistingRevert } from "../../core/errors/reverts.js";

/** Parameters of `readIndex`. */
export interface ReadIndexParameters {
  /** The IndexOracle. */
  address: Address;
  indexId: Hex;
  blockNumber?: bigint;
  /**
   * A deployed Multicall3. When left out the batch runs as a deployless multicall (one `eth_call`
   * carrying the aggregator's creation code), which needs nothing deployed on the chain.
   */
  multicallAddress?: Address;
}

/** Everything the oracle stores about an index, read in one call. */
export interface ReadIndexReturnType {
  quorum: number;
  reporterCount: number;
  maxAge: bigint;
  minInterval: bigint;
  /** `1e18` = 100 %. */
  maxDeviation: bigint;
  /** `f`, the faulty reporters the index tolerates (`reporterCount >= 3f + 1`, `quorum >= 2f + 1`). */
  faultBound: number;
  /** Number of accepted rounds (the latest round id). */
  checkpointCount: bigint;
  lastObservedAt: bigint;
  reporters: readonly Address[];
  /** The latest round, or `undefined` before the first. */
  latest: Checkpoint | undefined;
}

/**
 * What `readIndex` throws: `UnknownIndexError` from `indexState` / `reporters` (a missing latest round is
 * `latest: undefined`, not an error), or `ActionErrorType`.
 */
export type ReadIndexErrorType = IndexOracleExistingRevert | ActionErrorType;

/**
 * Reads an index's state, reporters and latest checkpoint in one batched call (multicall). Throws
 * `UnknownIndexError` for an index that was never created.
 * @example
 * const { quorum, reporters, latest } = await readIndex(publicClient, { address, indexId });
 */
export async function readIndex(
  client: ReadClient,
  params: ReadIndexParameters,
): Promise<ReadIndexReturnType> {
  const target = { address: params.address, abi: indexOracleAbi } as const;
  const [state, reporters, latest] = await multicall(client, {
    contracts: [
      { ...target, functionName: "indexState", args: [params.indexId] },
      { ...target, functionName: "reporters", args: [params.indexId] },
      { ...target, functionName: "latestCheckpoint", args: [params.indexId] },
    ],
    allowFailure: true,
    blockNumber: params.blockNumber,
    ...batchTarget(params.multicallAddress),
  });
  if (state.status === "failure") throwDecoded(state.error);
  if (reporters.status === "failure") throwDecoded(reporters.error);
  const s = state.result;
  return {
    quorum: s.quorum,
    reporterCount: s.reporterCount,
    maxAge: BigInt(s.maxAge),
    minInterval: BigInt(s.minInterval),
    maxDeviation: s.maxDeviation,
    faultBound: s.faultBound,
    checkpointCount: BigInt(s.checkpointCount),
    lastObservedAt: BigInt(s.lastObservedAt),
    reporters: reporters.result,
    latest:
      latest.status === "success"
        ? {
            timestamp: BigInt(latest.result.timestamp),
            value: latest.result.value,
            cumulative: latest.result.cumulative,
          }
        : undefined,
  };
}

/** `multicallAddress` when given, otherwise the deployless mode. */
export function batchTarget(
  multicallAddress: Address | undefined,
): { multicallAddress: Address } | { deployless: true } {
  return multicallAddress ? { multicallAddress } : { deployless: true };
}
